"""Password hashing (Argon2id, legacy bcrypt) and JWT signing."""

from ova.adapters.security.jwt_codec import JoseTokenCodec
from ova.adapters.security.password_hasher import Argon2PasswordHasher

__all__ = ["Argon2PasswordHasher", "JoseTokenCodec"]
