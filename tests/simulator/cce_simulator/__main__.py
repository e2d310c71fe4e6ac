"""Command line: ``python -m cce_simulator --host H --port P [--scenario F] [--time-scale X]
[--faults SPEC] [--tls-cert F --tls-key F]``.

Prints one line ``listening on http(s)://HOST:PORT`` when ready (the real port with ``--port 0``).
"""

import argparse
import json
import signal
import ssl
import sys

from .faults import FaultSpecError
from .scenario import ScenarioError, load_scenario
from .server import Simulator, make_server


def parse_faults(value):
    """``--faults``: a JSON document or ``@path`` to a JSON file."""
    if not value:
        return None
    if value.startswith("@"):
        with open(value[1:], encoding="utf-8") as handle:
            return json.load(handle)
    return json.loads(value)


def _stop(_signum, _frame):
    raise KeyboardInterrupt


def build_parser():
    parser = argparse.ArgumentParser(prog="cce_simulator", description="Local simulator of the Huawei Cloud CCE upgrade API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8780, help="0 picks a free port")
    parser.add_argument("--scenario", help="scenario JSON file (default: the built-in scenario)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiplies every simulated duration (0.01: 600 s -> 6 s)")
    parser.add_argument("--faults", help='fault rules: JSON {"rules": [...]} or @file.json')
    parser.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        sys.stderr.write("--tls-cert and --tls-key go together\n")
        return 2
    if args.time_scale <= 0:
        sys.stderr.write("--time-scale must be positive\n")
        return 2
    try:
        scenario = load_scenario(args.scenario)
        simulator = Simulator(scenario, time_scale=args.time_scale, faults=parse_faults(args.faults))
    except (OSError, ValueError, ScenarioError, FaultSpecError) as exc:
        sys.stderr.write("cce_simulator: %s\n" % exc)
        return 2
    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    server = make_server(simulator, args.host, args.port, context)
    host, port = server.server_address[:2]
    signal.signal(signal.SIGTERM, _stop)
    print("listening on %s://%s:%d" % ("https" if context else "http", host, port), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
