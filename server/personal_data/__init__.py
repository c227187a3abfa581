"""Personal-data protection primitives, free of Qt and of the database.

* :mod:`.keys`: the data keys, kept in a key file outside the database, with rotation;
* :mod:`.cipher`: field encryption (AES-256-GCM or SM4-GCM) and blind indexes for search;
* :mod:`.id_number`: validation and parts of Chinese resident ID numbers (GB 11643-1999);
* :mod:`.masking`: masking of ID numbers, phones, names, addresses and card numbers on output.
"""

from server.personal_data.cipher import FieldCipher, UndecryptableValue, normalise
from server.personal_data.id_number import (
    InvalidIdNumber,
    birth_date,
    make_id_number,
    sex,
    validate_id_number,
)
from server.personal_data.keys import KeyRing, KeyRingError, UnknownKeyVersion
from server.personal_data.masking import (
    mask_address,
    mask_card_number,
    mask_id_number,
    mask_name,
    mask_phone,
)

__all__ = [
    "FieldCipher",
    "InvalidIdNumber",
    "KeyRing",
    "KeyRingError",
    "UndecryptableValue",
    "UnknownKeyVersion",
    "birth_date",
    "make_id_number",
    "mask_address",
    "mask_card_number",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalise",
    "sex",
    "validate_id_number",
]
