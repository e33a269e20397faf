"""PHI at rest: per-patient data keys (envelope encryption) and crypto-shredding.

See ``docs/phi-at-rest.md``: contracts mark PHI fields, :class:`PhiCipher` seals them on every
topic and table with the patient's data key from a :class:`Keyring`, and shredding a patient's key
makes every copy unreadable while money, codes and digests stay replayable.
"""

from rcm_shared.phi.codec import PhiCipher, is_sealed, phi_paths, plaintext_phi
from rcm_shared.phi.keyring import (
    CachingKeyring,
    DataKey,
    Keyring,
    MemoryKeyring,
    PhiError,
    PhiKeyringError,
    PhiKeyShreddedError,
    PhiUnreadableError,
)

__all__ = ["CachingKeyring", "DataKey", "Keyring", "MemoryKeyring", "PhiCipher", "PhiError",
           "PhiKeyringError", "PhiKeyShreddedError", "PhiUnreadableError", "is_sealed", "phi_paths", "plaintext_phi"]
