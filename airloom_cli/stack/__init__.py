"""The local stack: every Airloom component on loopback, state under `.airloom/`."""
