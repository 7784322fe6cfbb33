"""The visitors' tablet: wire protocol, drawing, data-channel session, signalling, pairing and trust."""
