"""The activity consumer: ``airloom.activity`` landed in the lake once per event."""
