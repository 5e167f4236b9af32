/*
 * A test aid for Wine only, never shipped: Rust's std for Windows (since 1.78) imports
 * ProcessPrng from bcryptprimitives.dll, which Wine 8 does not export. Built by
 * scripts/cross.sh into a DLL of that name beside the test executables (with
 * WINEDLLOVERRIDES=bcryptprimitives=n,b), it forwards to BCryptGenRandom, which Wine has.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
