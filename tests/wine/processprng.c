/* bcryptprimitives.dll for wine 8: Rust's standard library on Windows takes its randomness
 * (HashMap seeds) from ProcessPrng, which wine only gained in version 9. This stand-in is used
 * by the wine journey alone; real Windows 10/11 has the function. It forwards to
 * RtlGenRandom (advapi32's SystemFunction036), which wine 8 implements. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
