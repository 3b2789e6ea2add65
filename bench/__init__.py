"""Paraph benchmarks: ``./paraph bench`` (see bench/__main__.py and bench/README.md)."""
import logging
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # eventlet's own notice
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
logging.getLogger("amqp").setLevel(logging.ERROR)  # "Received method ... during closing channel"
