"""Support for bench/checkout.py: the buyers' world (data.py) and the checkout load
generator (loadgen.py)."""
