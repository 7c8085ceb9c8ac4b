"""The OCR bench (``make bench-vision``): a generated set of photos with text, its scoring and harness."""
