"""The delivery layer: the web app, the command line and the background worker.

The only code that imports Flask or click; it calls :func:`delivery.wiring.wire` before serving.
"""
