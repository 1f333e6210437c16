"""Put first on PYTHONPATH to hide gevent-websocket: python-engineio's gevent driver then
falls back to simple-websocket (the "gevent+simple-websocket" mode of the benchmark)."""

raise ImportError("gevent-websocket hidden by the town hall benchmark")
