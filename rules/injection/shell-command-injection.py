import asyncio
import os
import subprocess

BACKUP = "pg_dump app > /var/backups/app.sql"


async def run(filename, args):
    # ruleid: shell-command-injection
    subprocess.run(f"convert {filename} out.png", shell=True, check=True)
    # ruleid: shell-command-injection
    os.system("rm -rf " + filename)
    # ruleid: shell-command-injection
    subprocess.check_output("grep %s /var/log/app.log" % filename, shell=True)
    # ruleid: shell-command-injection
    await asyncio.create_subprocess_shell(f"ls {filename}")
    # ok: shell-command-injection
    subprocess.run(["convert", filename, "out.png"], check=True)
    # ok: shell-command-injection
    subprocess.run("ls -l | wc -l", shell=True, check=True)
    # ok: shell-command-injection
    subprocess.run(BACKUP, shell=True, check=True)
    # ok: shell-command-injection
    os.system("clear")
    # ok: shell-command-injection
    subprocess.run(args, shell=False, check=True)
