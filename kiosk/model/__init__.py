"""The model core: stroke validation, rasterisation, timeline exports and inference."""
