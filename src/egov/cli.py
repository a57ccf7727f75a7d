"""The `egov` command: run the demo, serve, check a deployment, verify the audit log."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TextIO

DEFAULT_SETTINGS = "egov.settings.dev"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "egov.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("EGOV_TRUSTED_PROXIES", "127.0.0.1"),
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("compile_catalogs", verbosity=0)
    from egov.core import demo

    logins = demo.load()
    base = f"http://{args.host}:{args.port}"
    print(demo.banner(base, logins, _load_app_demos()))
    if args.no_serve:
        return 0
    return _run_demo_services(args.host, args.port, base, args.gateway_port)


def _run_demo_services(host: str, port: int, base: str, gateway_port: int) -> int:
    """Web application and worker, then the gateway and the demo providers once the web answers,
    then the apps' scripted calls through the gateway."""
    from django.conf import settings

    from gateway import launch

    # SIGTERM (a service manager, a test) stops the children as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    web = _egov(["serve", "--host", host, "--port", str(port)])
    worker = _egov(["worker"])
    processes = launch.Processes([web, worker])
    try:
        if not launch.wait_http(f"{base}/healthz", timeout=120):
            print("the web application did not start", file=sys.stderr)
            return 1
        gateway = launch.start_demo(
            control_plane_url=base,
            state_dir=settings.DATA_DIR / "gateway",
            token_file=settings.DATA_DIR / "gateway-token.txt",
            gateway_port=gateway_port,
        )
        processes.procs += gateway.procs
        gateway_url = f"http://127.0.0.1:{gateway_port}"
        print(_gateway_banner(gateway_url), flush=True)
        print("\n".join(_call_app_demos(gateway_url)), flush=True)
        processes.wait()
    except KeyboardInterrupt:
        pass
    finally:
        processes.stop()
    return 0


def _egov(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "egov.cli", *command])  # noqa: S603


def _gateway_banner(gateway_url: str) -> str:
    from django.conf import settings

    from egov.core.models import InformationSystem

    key = (settings.DATA_DIR / "demo-api-key.txt").read_text().strip()
    provider = InformationSystem.objects.get(
        organization__code="MINJUST-REG", subsystem_code="legal-entities"
    ).xroad_address
    consumer = InformationSystem.objects.get(
        organization__code="DEMOBANK", subsystem_code="loans"
    ).xroad_address
    return f"""Smart Bridge gateway on {gateway_url} (demo providers on :8090). Try:
  curl -H "X-API-Key: {key}" -H "X-Road-Client: {consumer}" \\
    "{gateway_url}/r1/{provider}/legal-entity/v1/legal-entities?name=Dala"
"""


def cmd_worker(args: argparse.Namespace) -> int:
    from egov.core.worker import Loop

    Loop(interval=args.interval).run()
    return 0


def _demo_modules() -> list[ModuleType]:
    """The `demo` module of each app beyond core that ships one."""
    import importlib
    import importlib.util

    from django.apps import apps

    return [
        importlib.import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if config.name.startswith("egov.")
        and config.name != "egov.core"
        and importlib.util.find_spec(f"{config.name}.demo") is not None
    ]


def _call_app_demos(gateway_url: str) -> list[str]:
    """A demo module may define call_gateway(url) to make real calls once the gateway runs."""
    lines: list[str] = []
    for module in _demo_modules():
        call = getattr(module, "call_gateway", None)
        if call is not None:
            lines += call(gateway_url)
    return lines


def _load_app_demos() -> list[str]:
    """Each app beyond core may ship a `demo` module whose load() returns lines for the banner."""
    lines: list[str] = []
    for module in _demo_modules():
        lines += module.load()
    return lines


def cmd_serve(args: argparse.Namespace) -> int:
    _serve(args.host, args.port, args.workers)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=args.deploy, fail_level="WARNING" if args.deploy else "ERROR")
    except SystemCheckError as error:
        print(error, file=sys.stderr)
        return 1
    return cmd_audit_verify(args)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from egov.core.audit import verify_chain

    result = verify_chain()
    if result.ok:
        print(f"audit log intact: {result.checked} records verified")
        return 0
    print(
        f"audit log BROKEN at record {result.broken_seq}: {result.reason} "
        f"({result.checked} records before it are intact)",
        file=sys.stderr,
    )
    return 2


def cmd_translit(args: argparse.Namespace) -> int:
    from egov.core import script

    convert: Callable[[str, str], script.Conversion] = (
        script.convert_to_cyrillic
        if args.reverse
        else script.convert_html
        if args.html
        else script.convert
    )
    sources: list[TextIO] = [open(path, encoding="utf-8") for path in args.files] or [sys.stdin]  # noqa: SIM115
    unknown = 0
    for source in sources:
        with source:
            result = convert(source.read(), args.alphabet)
        sys.stdout.write(result.text)
        unknown += result.unknown_count
    if unknown:
        print(
            f"warning: {unknown} letters outside the table were left as they are", file=sys.stderr
        )
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    import json

    from egov.api import api

    text = json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True)
    if args.output == "-":
        print(text)
    else:
        with open(args.output, "w", encoding="utf-8") as target:
            target.write(text + "\n")
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from egov.bridge import signing

    pair = signing.rotate(args.purpose)
    print(f"new {args.purpose} key {pair.kid}; the previous one stays published for 7 days")
    return 0


def cmd_totp(args: argparse.Namespace) -> int:
    from egov.core import demo

    code = demo.current_code(args.username)
    if code is None:
        print("only demo accounts on a demo deployment have a printable code", file=sys.stderr)
        return 1
    print(code)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="egov",
        description="eGov Platform: Smart Bridge, government websites and Smart Data.",
        epilog="Settings come from EGOV_* environment variables; see docs/configuration.md.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="set up the embedded demo (database, demo data) and serve it",
        description="Migrate the database, load the demo data (idempotent), print the URLs and "
        "demo log-ins, then serve the platform until Ctrl-C.",
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="set up and print, but do not serve")
    demo.add_argument("--gateway-port", type=int, default=8080, help="the demo gateway's port")
    demo.set_defaults(handler=cmd_demo)

    serve = commands.add_parser(
        "serve",
        help="serve the web application",
        description="Serve the web application (ASGI, uvicorn) until Ctrl-C or SIGTERM.",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=cmd_serve)

    check = commands.add_parser(
        "check",
        help="check the configuration and the audit log",
        description="Run the platform's system checks (with --deploy: the production checks, "
        "warnings count as failures) and verify the audit log's hash chain.",
    )
    check.add_argument("--deploy", action="store_true", help="apply the production checks")
    check.set_defaults(handler=cmd_check)

    audit = commands.add_parser("audit", help="work with the audit log", description="Audit log.")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    verify = audit_commands.add_parser(
        "verify",
        help="walk the hash chain and report the first broken record",
        description="Recompute every record's SHA-256 and its link to the previous one; exit 2 "
        "and name the first record that does not hold.",
    )
    verify.set_defaults(handler=cmd_audit_verify)

    worker = commands.add_parser(
        "worker",
        help="run queued tasks and periodic jobs",
        description="Run the platform's task worker: queued tasks and periodic jobs (grant expiry "
        "notices, version retirement, scheduled publishing) until Ctrl-C or SIGTERM.",
    )
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
    worker.set_defaults(handler=cmd_worker)

    translit = commands.add_parser(
        "translit",
        help="convert Kazakh text between Cyrillic and Latin script",
        description="Convert Kazakh text (files, or standard input) from Cyrillic to Latin "
        "script, or back with --reverse, and write it to standard output.",
    )
    translit.add_argument("--alphabet", choices=["2018", "2021"], default="2021")
    translit.add_argument("--reverse", action="store_true", help="Latin to Cyrillic")
    translit.add_argument("--html", action="store_true", help="convert only the text of HTML")
    translit.add_argument("files", nargs="*", help="files to read (default: standard input)")
    translit.set_defaults(handler=cmd_translit, needs_django=False)

    openapi = commands.add_parser(
        "openapi",
        help="write the API's OpenAPI document",
        description="Write the OpenAPI 3.1 document of /api/ (the contract CI compares).",
    )
    openapi.add_argument("output", nargs="?", default="-", help="file to write (default: stdout)")
    openapi.set_defaults(handler=cmd_openapi)

    keys = commands.add_parser(
        "keys", help="Smart Bridge signing keys", description="Smart Bridge signing keys."
    )
    keys_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")
    rotate = keys_commands.add_parser(
        "rotate",
        help="start signing with a new Ed25519 key",
        description="Create a new key for policy snapshots or access tokens; the old key stays "
        "published (snapshot key list, JWKS) so that what it signed still verifies.",
    )
    rotate.add_argument("purpose", choices=["snapshot", "token"])
    rotate.set_defaults(handler=cmd_keys_rotate)

    totp = commands.add_parser(
        "totp",
        help="print the current second-factor code of a demo account",
        description="Demo deployments only: print the current TOTP code of a demo account.",
    )
    totp.add_argument("username")
    totp.set_defaults(handler=cmd_totp)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "needs_django", True):
        _setup()
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
