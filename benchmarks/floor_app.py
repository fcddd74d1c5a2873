"""The framework floor: a bare Flask endpoint, served by waitress exactly as `cpc serve` serves
the platform. Run: python benchmarks/floor_app.py PORT THREADS"""

from __future__ import annotations

import sys

from flask import Flask
from waitress import serve

app = Flask(__name__)


@app.get("/")
def bare() -> str:
    return "ok"


if __name__ == "__main__":
    serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), _quiet=True)
