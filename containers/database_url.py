"""Container entrypoint: build the database URL from its parts, then run the command.

ECS injects the password from the secret RDS manages, and host, port, name and user as plain
variables; neither ECS nor the applications join them into one URL, so this does, quoting
the password, and puts it in the variable named by ``AIRLOOM_DB_URL_VARIABLE``.
"""

import os
import sys
from urllib.parse import quote


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: database_url.py COMMAND [ARG ...]")
    env = os.environ
    target = env.get("AIRLOOM_DB_URL_VARIABLE")
    if target and env.get("AIRLOOM_DB_HOST"):
        user = quote(env["AIRLOOM_DB_USER"], safe="")
        password = quote(env.get("AIRLOOM_DB_PASSWORD", ""), safe="")
        env[target] = (
            f"{env.get('AIRLOOM_DB_DRIVER', 'postgresql')}://{user}:{password}"
            f"@{env['AIRLOOM_DB_HOST']}:{env.get('AIRLOOM_DB_PORT', '5432')}"
            f"/{env['AIRLOOM_DB_NAME']}?sslmode=require"
        )
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
