"""cce_simulator: a local stand-in for the Huawei Cloud CCE cluster-upgrade API.

Run ``python -m cce_simulator --host 127.0.0.1 --port 0`` (see ``__main__``); control it through
``/_simulator/`` (see ``server``); describe clusters in a scenario file (see ``scenario``).
"""

from .scenario import cluster_id_for, default_scenario, load_scenario
from .server import Simulator, make_server

__all__ = ["Simulator", "cluster_id_for", "default_scenario", "load_scenario", "make_server"]
__version__ = "1.0.0"
