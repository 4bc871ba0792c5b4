"""Settings that read from the environment, as they should: nothing to report here."""

import os

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///shop.db")
PASSWORD_MIN_LENGTH = 12
TOKEN_TYPE = "bearer"
