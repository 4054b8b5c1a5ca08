// libFuzzer's entry for programs that keep their own main (compiler-rt, LLVM 12 and later).
// Only `kinglet-fuzz` built with -sanitize=fuzzer (make fuzz) calls it; other builds never link it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
