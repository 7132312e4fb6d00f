"""English formats: Django's own (it falls back to them), with times in whole minutes."""

TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
