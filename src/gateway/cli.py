"""``egov-gateway``: serve, verify and export the message log, fetch trusted keys, run the demo.

    egov-gateway serve [--host H] [--port P] [--workers N] [--server uvicorn|granian]
    egov-gateway log verify [--store URL | --archive FILE] [--public-key KID=KEY ...]
                            [--tsa-cert FILE ...]
    egov-gateway log export --out FILE [--store URL]
    egov-gateway log body (--request-id ID | --record CHAIN#SEQ) [--part request|response]
                          [--out FILE] [--store URL | --archive FILE] [--keys-file FILE]
    egov-gateway keys fetch [--control-plane URL] [--out FILE]
    egov-gateway keys new-body-key
    egov-gateway demo-upstream [--port 8090]
    egov-gateway demo        (demo upstream on 8090 + gateway on 8080, until Ctrl-C)

Settings come from ``EGOV_GATEWAY_*`` variables (docs/gateway.md); options override them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gateway import bodies, crypto, logarchive, timestamps
from gateway.config import MULTIPROCESS_DIR, ConfigError, Settings, from_env
from gateway.messagelog import Entry, chain_hash


def _serve(args: argparse.Namespace) -> int:
    overrides = {
        "HOST": args.host,
        "PORT": args.port,
        "WORKERS": args.workers,
        "SERVER": args.server,
    }
    for name, value in overrides.items():
        if value is not None:
            os.environ[f"EGOV_GATEWAY_{name}"] = str(value)
    settings = from_env()
    # Fail here, with a clear message, rather than in every worker: keys and certificates.
    _vault(settings)
    timestamps.certificates_from_settings(settings.tsa_cert_file)
    if settings.workers > 1 and MULTIPROCESS_DIR not in os.environ:
        metrics_dir = settings.state_dir / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ[MULTIPROCESS_DIR] = str(metrics_dir.resolve())
    run_server(settings, "gateway.app:create_app", factory=True)
    return 0


def run_server(settings: Settings, target: str, factory: bool) -> None:
    if settings.server == "granian":
        from granian import Granian
        from granian.constants import Interfaces, Loops

        Granian(
            target,
            address=settings.host,
            port=settings.port,
            interface=Interfaces.ASGI,
            workers=settings.workers,
            loop=Loops.uvloop,
            factory=factory,
            log_access=False,
            backlog=2048,
        ).serve()
        return
    import uvicorn

    uvicorn.run(
        target,
        factory=factory,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        backlog=2048,
        timeout_graceful_shutdown=10,
        proxy_headers=False,  # the gateway applies its own trusted-proxy rules
        server_header=False,
    )


def _keys_from_args(values: Sequence[str]) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for value in values:
        kid, sep, text = value.partition("=")
        if not sep:
            raise SystemExit(f"--public-key wants KID=BASE64URL, got {value!r}")
        keys[kid] = crypto.public_key(text)
    return keys


def _local_keys(settings: Settings) -> dict[str, Ed25519PublicKey]:
    path = settings.resolved_signing_key_file
    if not path.exists():
        return {}
    key = crypto.load_or_create_signing_key(path)
    return {key.kid: key.private.public_key()}


def _log_verify(args: argparse.Namespace) -> int:
    settings = from_env()
    keys = _keys_from_args(args.public_key or [])
    notes: list[str] = []
    if not keys:
        keys = _local_keys(settings)
        if keys:
            notes.append(f"trusting this node's key {', '.join(keys)}")
    tsa_paths = [Path(path) for path in args.tsa_cert or ()]
    if not tsa_paths and settings.tsa_cert_file is not None:
        tsa_paths = [settings.tsa_cert_file]
    try:
        tsa_certificates = timestamps.load_certificates(tsa_paths)
    except (OSError, ValueError, TypeError) as error:
        print(f"cannot read the TSA certificate: {error}", file=sys.stderr)
        return 2
    if args.archive:
        archive = logarchive.load_archive(Path(args.archive))
        if not keys:
            keys = {
                kid: crypto.public_key(v) for kid, v in (archive.header.get("keys") or {}).items()
            }
            notes.append("no key given: trusting the keys named inside the archive itself")
        seal_problem = logarchive.check_seal(archive.header, keys)
        if seal_problem:
            archive.problems.append(seal_problem)
        report = logarchive.verify(archive.records, archive.checkpoints, keys)
        report.problems[:0] = archive.problems
        checkpoints, stamps = archive.checkpoints, archive.stamps
    else:
        store = args.store or settings.resolved_log_store
        try:
            stream, checkpoints = logarchive.read_store(store)
            report = logarchive.verify(stream, checkpoints, keys)
            stamps = logarchive.read_stamps(store)
        except (FileNotFoundError, OSError) as error:
            print(f"cannot read the log store: {error}", file=sys.stderr)
            return 2
    stamped, stamp_problems = timestamps.verify_stamps(stamps, checkpoints, tsa_certificates)
    report.problems.extend(stamp_problems)
    if stamps and not tsa_certificates:
        notes.append("time stamps checked against their checkpoints only (no --tsa-cert)")
    for note in notes:
        print(f"note: {note}")
    print(
        f"{report.records} records in {report.chains} chain(s), {report.checkpoints} checkpoints,"
        f" {stamped} time stamps"
    )
    for warning in report.warnings:
        print(f"warning: {warning}")
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    print("OK: the log is intact" if report.ok else f"FAILED: {len(report.problems)} problem(s)")
    return 0 if report.ok else 1


def _log_export(args: argparse.Namespace) -> int:
    settings = from_env()
    store = args.store or settings.resolved_log_store
    key = crypto.load_or_create_signing_key(settings.resolved_signing_key_file)
    count = logarchive.export_archive(store, Path(args.out), key, settings.node_name)
    print(f"exported {count} records to {args.out} (sealed with {key.kid})")
    return 0


def _vault(settings: Settings, keys_file: str | None = None) -> bodies.BodyVault:
    return bodies.vault_from_settings(
        settings.body_keys,
        Path(keys_file) if keys_file else settings.body_keys_file,
        settings.body_key_id,
        settings.body_max_bytes,
    )


def _log_body(args: argparse.Namespace) -> int:
    """Decrypt a kept body for an operator who holds the key, and prove it by the record."""
    settings = from_env()
    vault = _vault(settings, args.keys_file)
    if not vault.kids:
        print("no body key: set EGOV_GATEWAY_BODY_KEYS(_FILE) or give --keys-file", file=sys.stderr)
        return 2
    chain, seq = None, None
    if args.record:
        chain, sep, number = args.record.rpartition("#")
        if not sep or not number.isdigit():
            print("--record wants CHAIN#SEQ", file=sys.stderr)
            return 2
        seq = int(number)
    try:
        if args.archive:
            archive = logarchive.load_archive(Path(args.archive))
            found = [
                entry
                for entry in archive.records
                if (chain is None and entry.fields.get("request_id") == args.request_id)
                or (entry.chain, entry.seq) == (chain, seq)
            ]
            stored = archive.bodies
        else:
            store = args.store or settings.resolved_log_store
            found = logarchive.find_records(store, args.request_id, chain, seq)
            stored = []
            for entry in found:
                stored.extend(logarchive.read_bodies(store, entry.chain, entry.seq))
    except (FileNotFoundError, OSError) as error:
        print(f"cannot read the log: {error}", file=sys.stderr)
        return 2
    calls = [entry for entry in found if entry.fields.get("kind") == "call"]
    if len(calls) != 1:
        listed = ", ".join(f"{e.chain}#{e.seq}" for e in calls) or "none"
        print(
            f"{len(calls)} call records match ({listed}); name one with --record", file=sys.stderr
        )
        return 2
    entry = calls[0]
    return _open_body(vault, entry, stored, args.part, args.out)


def _open_body(
    vault: bodies.BodyVault,
    entry: Entry,
    stored: list[tuple[str, int, bodies.SealedBody]],
    part: str,
    out: str | None,
) -> int:
    where = f"{entry.chain}#{entry.seq}"
    record = entry.fields
    if chain_hash(str(record.get("prev", "")), entry.body.encode()) != entry.hash:
        print(f"FAILED: record {where} does not match its hash (run log verify)", file=sys.stderr)
        return 1
    sealed = next(
        (b for c, s, b in stored if (c, s) == (entry.chain, entry.seq) and b.part == part), None
    )
    if sealed is None:
        print(f"record {where} has no {part} body kept", file=sys.stderr)
        return 2
    try:
        plaintext = bodies.open_and_check(vault, entry.chain, entry.seq, record, sealed)
    except bodies.BodyError as error:
        print(f"FAILED: record {where}: {error}", file=sys.stderr)
        return 1
    if out:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(plaintext)
    else:
        sys.stdout.buffer.write(plaintext)
        sys.stdout.buffer.flush()
    print(
        f"OK: {part} body of record {where} ({len(plaintext)} bytes, key {sealed.kid}) matches "
        f"the record's SHA-256; run log verify for the chain and checkpoints",
        file=sys.stderr,
    )
    return 0


def _keys_new_body_key(_args: argparse.Namespace) -> int:
    print(bodies.new_key_line())
    return 0


def _keys_fetch(args: argparse.Namespace) -> int:
    settings = from_env()
    base = (args.control_plane or settings.control_plane_url or "").rstrip("/")
    if not base:
        print("give --control-plane or set EGOV_GATEWAY_CONTROL_PLANE_URL", file=sys.stderr)
        return 2
    if not base.startswith(("http://", "https://")):
        print("the control plane URL must be http(s)", file=sys.stderr)
        return 2
    with urllib.request.urlopen(base + "/api/bridge/snapshots/keys", timeout=10) as response:  # noqa: S310
        document = json.loads(response.read())
    out = Path(
        args.out or settings.trusted_keys_file or settings.state_dir / "trusted-keys.boot.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    kids = ", ".join(entry["kid"] for entry in document.get("keys", []))
    print(f"wrote {out} with keys: {kids}")
    print(f"set EGOV_GATEWAY_TRUSTED_KEYS_FILE={out} (check the key ids with the operator)")
    return 0


def _demo_upstream(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "gateway.demo_upstream:app",
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from gateway import launch

    processes = launch.start_demo(
        control_plane_url=args.control_plane,
        gateway_port=args.port,
        upstream_port=args.upstream_port,
    )
    print(f"gateway on http://127.0.0.1:{args.port}, demo upstream on :{args.upstream_port}")
    try:
        processes.wait()
    except KeyboardInterrupt:
        pass
    finally:
        processes.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="egov-gateway", description="Smart Bridge gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--server", choices=["uvicorn", "granian"])
    serve.set_defaults(handler=_serve)
    log = commands.add_parser("log", help="message log tools")
    log_commands = log.add_subparsers(dest="log_command", required=True)
    verify = log_commands.add_parser("verify", help="check chains and checkpoint signatures")
    verify.add_argument("--store", help="sqlite:///path or postgres://… (default: configured)")
    verify.add_argument("--archive", help="an exported archive file instead of a store")
    verify.add_argument("--public-key", action="append", metavar="KID=KEY")
    verify.add_argument(
        "--tsa-cert", action="append", metavar="FILE", help="TSA certificate (PEM or DER)"
    )
    verify.set_defaults(handler=_log_verify)
    export = log_commands.add_parser("export", help="write a sealed JSON-lines archive")
    export.add_argument("--out", required=True)
    export.add_argument("--store")
    export.set_defaults(handler=_log_export)
    body = log_commands.add_parser("body", help="decrypt a kept body and check it by its record")
    which = body.add_mutually_exclusive_group(required=True)
    which.add_argument("--request-id")
    which.add_argument("--record", metavar="CHAIN#SEQ")
    body.add_argument("--part", choices=bodies.PARTS, default="response")
    body.add_argument("--out", help="write the body here (mode 0600) instead of stdout")
    source = body.add_mutually_exclusive_group()
    source.add_argument("--store")
    source.add_argument("--archive")
    body.add_argument("--keys-file", help="body keys (kid=base64url lines) instead of the settings")
    body.set_defaults(handler=_log_body)
    keys = commands.add_parser("keys", help="snapshot signing keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    fetch = key_commands.add_parser("fetch", help="bootstrap trusted keys from the control plane")
    fetch.add_argument("--control-plane")
    fetch.add_argument("--out")
    fetch.set_defaults(handler=_keys_fetch)
    new_body_key = key_commands.add_parser(
        "new-body-key", help="print a new AES-256 key line for EGOV_GATEWAY_BODY_KEYS(_FILE)"
    )
    new_body_key.set_defaults(handler=_keys_new_body_key)
    upstream = commands.add_parser("demo-upstream", help="the demo provider services")
    upstream.add_argument("--port", type=int, default=8090)
    upstream.set_defaults(handler=_demo_upstream)
    demo = commands.add_parser("demo", help="demo upstream + gateway as subprocesses")
    demo.add_argument("--control-plane", default="http://127.0.0.1:8000")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--upstream-port", type=int, default=8090)
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    raise SystemExit(main())
