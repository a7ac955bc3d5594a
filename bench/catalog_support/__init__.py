"""What bench/catalog.py needs besides itself: serving settings, the baseline view, the data
generator and the load generator. A package, so `make bench` (every bench/*.py) runs only the
benchmark."""
