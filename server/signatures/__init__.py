"""Electronic signatures: the signing certificates administrators register for doctors and
pharmacists, and verification of signed documents against them. The private keys stay with the
signers; the canonical form and the algorithms live in `common/signing.py`, shared with the apps.
"""
