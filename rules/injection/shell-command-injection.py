import asyncio
import os
import shlex
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
    # ok: shell-command-injection
    subprocess.run(f"pg_dump --version | tee -a {shlex.quote(str(filename))}", shell=True, check=True)
    # ok: shell-command-injection
    subprocess.run(f"convert {shlex.quote(filename)} 'out file.png'", shell=True, check=True)
    # ok: shell-command-injection
    subprocess.run(shlex.join(["convert", filename, "out.png"]), shell=True, check=True)
    # ok: shell-command-injection
    os.system(shlex.join(["convert", filename, "out.png"]))
    # ruleid: shell-command-injection
    subprocess.run(f"convert {shlex.quote(filename)} {args}", shell=True, check=True)
    # ruleid: shell-command-injection
    subprocess.run(f"convert {shlex.quote(filename) + str(args)}", shell=True, check=True)
    # ruleid: shell-command-injection
    subprocess.run(f"convert {shlex.quote(filename)} | sh -c {args!r}", shell=True, check=True)
