"""ova's own ASL letter classifier: the data it learns from, its training, and its evaluation.

``python -m bench.asl.extract`` finds the hands in the training photos with the adapter's own hand
finder and writes their landmarks; ``python -m bench.asl.train`` cross-validates and fits the
classifier and writes its weights and model card; ``python -m bench.asl.evaluate`` (``make bench-asl``)
compares it with the other classifiers.
"""
