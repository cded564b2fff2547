//go:build cgo

package opensslkey

/*
#cgo pkg-config: libcrypto
#cgo CFLAGS: -O2 -Wall
#include <stddef.h>
#include <stdio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

// gowsgid_load_rsa reads a PKCS #1 DER RSA private key.
static EVP_PKEY *gowsgid_load_rsa(const unsigned char *der, long len) {
	const unsigned char *p = der;
	EVP_PKEY *key = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, len);
	if (key == NULL)
		ERR_clear_error();
	return key;
}

static const EVP_MD *gowsgid_md(int bits) {
	switch (bits) {
	case 256: return EVP_sha256();
	case 384: return EVP_sha384();
	case 512: return EVP_sha512();
	}
	return NULL;
}

// gowsgid_rsa_sign signs a digest of md_bits bits with PKCS #1 v1.5
// padding, or PSS with a salt as long as the digest. On failure it
// returns 0 and writes libcrypto's error into errbuf: the error queue is
// per thread, and the goroutine may run on another one after the call.
static int gowsgid_rsa_sign(EVP_PKEY *key, int pss, int md_bits,
		const unsigned char *digest, size_t dlen,
		unsigned char *sig, size_t *siglen, char *errbuf, size_t errlen) {
	const EVP_MD *md = gowsgid_md(md_bits);
	// Errors left on this thread by another libcrypto user (Python's
	// ssl module shares the library) are not this call's.
	ERR_clear_error();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	int ok = md != NULL && ctx != NULL
		&& EVP_PKEY_sign_init(ctx) > 0
		&& EVP_PKEY_CTX_set_rsa_padding(ctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) > 0
		&& (!pss || EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) > 0)
		&& EVP_PKEY_CTX_set_signature_md(ctx, md) > 0
		&& EVP_PKEY_sign(ctx, sig, siglen, digest, dlen) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		unsigned long e = ERR_get_error();
		if (e != 0) {
			ERR_error_string_n(e, errbuf, errlen);
		} else {
			snprintf(errbuf, errlen, "%s", md == NULL ? "unsupported digest" : "no error queued");
		}
		ERR_clear_error();
	}
	return ok;
}
*/
import "C"

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Key is an RSA private key whose TLS signatures libcrypto makes. It
// implements crypto.Signer and crypto.Decrypter.
type Key struct {
	goKey *rsa.PrivateKey
	pkey  *C.EVP_PKEY
	// signed counts the signatures libcrypto made, for tests.
	signed atomic.Int64
}

// New loads key into libcrypto. The libcrypto copy is freed once the
// Key is unreachable.
func New(key *rsa.PrivateKey) (crypto.Signer, error) {
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("invalid RSA key: %w", err)
	}
	der := x509.MarshalPKCS1PrivateKey(key)
	pkey := C.gowsgid_load_rsa((*C.uchar)(unsafe.Pointer(&der[0])), C.long(len(der)))
	clear(der)
	if pkey == nil {
		return nil, errors.New("libcrypto refused the key")
	}
	k := &Key{goKey: key, pkey: pkey}
	runtime.AddCleanup(k, func(p *C.EVP_PKEY) { C.EVP_PKEY_free(p) }, pkey)
	return k, nil
}

// Public returns the key's public half.
func (k *Key) Public() crypto.PublicKey { return &k.goKey.PublicKey }

// Sign signs digest as rsa.PrivateKey.Sign does. The signatures TLS 1.2
// and 1.3 make are made by libcrypto, others by Go.
func (k *Key) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	pss, mdBits, ok := k.libcryptoSigns(digest, opts)
	if !ok {
		return k.goKey.Sign(rand, digest, opts)
	}
	padding := C.int(0)
	if pss {
		padding = 1
	}
	sig := make([]byte, k.goKey.Size())
	n := C.size_t(len(sig))
	var errbuf [256]C.char
	ret := C.gowsgid_rsa_sign(k.pkey, padding, C.int(mdBits),
		(*C.uchar)(unsafe.Pointer(&digest[0])), C.size_t(len(digest)),
		(*C.uchar)(unsafe.Pointer(&sig[0])), &n, &errbuf[0], C.size_t(len(errbuf)))
	runtime.KeepAlive(k)
	if ret != 1 {
		return nil, fmt.Errorf("libcrypto RSA signing: %s", C.GoString(&errbuf[0]))
	}
	k.signed.Add(1)
	return sig[:n], nil
}

// libcryptoSigns says whether libcrypto makes the signature opts asks
// for, and how: PSS or PKCS #1 v1.5, and the digest's size in bits.
func (k *Key) libcryptoSigns(digest []byte, opts crypto.SignerOpts) (pss bool, mdBits int, ok bool) {
	h := opts.HashFunc()
	switch h {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return false, 0, false
	}
	if len(digest) != h.Size() {
		return false, 0, false // Go's key reports the mistake
	}
	if p, isPSS := opts.(*rsa.PSSOptions); isPSS {
		if p.SaltLength != rsa.PSSSaltLengthEqualsHash && p.SaltLength != h.Size() {
			return false, 0, false
		}
		pss = true
	}
	return pss, h.Size() * 8, true
}

// Decrypt decrypts with Go's key: the RSA key exchange, rare now, keeps
// crypto/rsa's constant-time defences.
func (k *Key) Decrypt(rand io.Reader, msg []byte, opts crypto.DecrypterOpts) ([]byte, error) {
	return k.goKey.Decrypt(rand, msg, opts)
}
