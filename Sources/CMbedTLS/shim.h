// mbedTLS 2.28 as Debian ships it: no pkg-config file, three libraries.
#include <mbedtls/ssl.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/pk.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/version.h>

#include <errno.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/socket.h>

// Small helpers for what Swift cannot do well itself: C callbacks that must be plain C
// function pointers, and an fd carried in mbedTLS's `void *` context without an allocation.

/// Fills `out` from the kernel CSPRNG (getrandom(2), blocking only until the pool is first
/// initialised at boot). Returns 0, or the errno of the failure.
static inline int kinglet_fill_random(unsigned char *out, size_t len) {
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        out += n;
        len -= (size_t)n;
    }
    return 0;
}

/// The `f_rng` of every TLS session: the kernel CSPRNG directly. It keeps no state, so it
/// is safe from any thread and needs neither an entropy context nor a seeded DRBG.
static inline int kinglet_tls_random(void *unused, unsigned char *out, size_t len) {
    (void)unused;
    return kinglet_fill_random(out, len) == 0 ? 0 : MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
}

/// The BIO send callback: send(2) with MSG_NOSIGNAL (mbedtls_net_send uses write(2), which
/// raises SIGPIPE on a closed peer). EAGAIN is WANT_WRITE; the fd is the context pointer.
static inline int kinglet_tls_send(void *ctx, const unsigned char *buf, size_t len) {
    int fd = (int)(intptr_t)ctx;
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) return (int)n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_WANT_WRITE;
        if (errno == EPIPE || errno == ECONNRESET) return MBEDTLS_ERR_NET_CONN_RESET;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
}

/// The BIO receive callback: recv(2); EAGAIN is WANT_READ, 0 is end of stream.
static inline int kinglet_tls_recv(void *ctx, unsigned char *buf, size_t len) {
    int fd = (int)(intptr_t)ctx;
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0) return (int)n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_WANT_READ;
        if (errno == ECONNRESET) return MBEDTLS_ERR_NET_CONN_RESET;
        return MBEDTLS_ERR_NET_RECV_FAILED;
    }
}

/// Connects `ssl` to a socket the caller owns (and closes).
static inline void kinglet_ssl_set_socket(mbedtls_ssl_context *ssl, int fd) {
    mbedtls_ssl_set_bio(ssl, (void *)(intptr_t)fd, kinglet_tls_send, kinglet_tls_recv, NULL);
}

/// Sets the kernel CSPRNG as the configuration's random source.
static inline void kinglet_ssl_conf_system_rng(mbedtls_ssl_config *conf) {
    mbedtls_ssl_conf_rng(conf, kinglet_tls_random, NULL);
}

/// The raw value of a subjectAltName entry's tag for dNSName ([2] IMPLICIT IA5String).
static inline int kinglet_san_dns_tag(void) {
    return MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2;
}

/// Declared only in mbedTLS's internal header, but exported by the 2.28 library (shared and
/// static): sends what is left in the output buffer.
int mbedtls_ssl_flush_output(mbedtls_ssl_context *ssl);

/// Bytes of an already encrypted record that mbedTLS has not sent yet.
static inline size_t kinglet_ssl_unsent_bytes(const mbedtls_ssl_context *ssl) {
    return ssl->out_left;
}
