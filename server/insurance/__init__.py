"""The medical-insurance e-prescription centre (医保电子处方流转): the envelope, the adapter,
the simulator, and the claims that give circulation payments their insurance split."""
