#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/interop/issued-by.py CERT ISSUER: exit 0 when CERT's signature verifies with ISSUER's
public key (PEM files; RSA PKCS#1 v1.5 or ECDSA), whatever ISSUER's extensions say."""
import sys

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

cert = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
issuer = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
key = issuer.public_key()
if isinstance(key, rsa.RSAPublicKey):
    key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
elif isinstance(key, ec.EllipticCurvePublicKey):
    key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
else:
    sys.exit("unsupported issuer key %r" % key)
if cert.issuer != issuer.subject:
    sys.exit("issuer name %s is not the issuer certificate's subject %s" % (cert.issuer, issuer.subject))
print("signature verifies; issuer name matches")
