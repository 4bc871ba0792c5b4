from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from flask import Flask
from flask_cors import CORS

app = FastAPI()
# ruleid: cors-wildcard-with-credentials
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"])
# ok: cors-wildcard-with-credentials
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"])
# ok: cors-wildcard-with-credentials
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)

web = Flask(__name__)
# ruleid: cors-wildcard-with-credentials
CORS(web, supports_credentials=True)
# ruleid: cors-wildcard-with-credentials
CORS(web, origins="*", supports_credentials=True)
# ok: cors-wildcard-with-credentials
CORS(web, origins=["https://app.example.com"], supports_credentials=True)
# ok: cors-wildcard-with-credentials
CORS(web)

# ruleid: cors-wildcard-with-credentials
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = True
