"""Open Badges 3.0: a signed credential for each standard signed off, and its revocation.

- :mod:`.credential` builds the ``OpenBadgeCredential`` (a W3C Verifiable Credential) from plain
  facts (pure);
- :mod:`.jose` signs it as a VC-JWT with the centre's Ed25519 key and checks a token's
  signature against the centre's key set (joserfc);
- :mod:`.status` encodes and reads the revocation bitstring (Bitstring Status List, pure);
- :mod:`.models` keeps each issued credential with its place in the status list;
- :mod:`.issue` issues a badge for a sign-off read from the database and finds badges;
- :mod:`.verify` says, in plain words, whether a token is valid, revoked or not genuine.

A badge is revoked when the sign-off it was issued for is reopened: its bit in the status list
is read from the sign-off's state, so the list can never disagree with the records.
See docs/badges.md.
"""
