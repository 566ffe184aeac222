"""The multisock conformance suite: the contract every backend is held to.

Installed with multisock as ``multisock_conformance``. Run it for a backend with
``multisock conformance --backend NAME``, or inside your own pytest run with
``pytest --pyargs multisock_conformance --multisock-backend NAME``.
"""
