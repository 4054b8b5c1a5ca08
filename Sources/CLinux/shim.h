// What the Transport module needs from Linux beyond Glibc's Swift overlay: glibc's stub
// resolver for SRV lookups (the answer is parsed in Swift) and eventfd for waking the I/O thread.
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <sys/eventfd.h>
