"""The playground: small networks learning 2-D toy datasets live, as TensorFlow Playground shows them.

One idea a module: ``datasets`` makes the points, ``spec`` says what a run is made of (and refuses
what it may not be), ``trainer`` trains the network with PyTorch and reports what it has learned,
``frames`` packs grids and points compactly for the stream.
"""
