"""Offline MNIST training for nn-kiosk: a small MLP and its whole training timeline."""
