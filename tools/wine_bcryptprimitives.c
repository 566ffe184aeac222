/*
 * A stand-in bcryptprimitives.dll for Wine 8, which has no ProcessPrng.
 *
 * pydantic-core's Windows build imports ProcessPrng from bcryptprimitives.dll (Rust's
 * standard library gets its random bytes there), so without this DLL next to python.exe the
 * import of pydantic fails under Wine. Windows has the real one; this file is only for
 * tools/wine.py. It fills the buffer from RtlGenRandom (SystemFunction036 in advapi32),
 * which Wine implements.
 *
 * Built by tools/wine.py:
 *   x86_64-w64-mingw32-gcc -O2 -shared -o bcryptprimitives.dll wine_bcryptprimitives.c \
 *       -ladvapi32 -Wl,--kill-at
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* RtlGenRandom takes a ULONG length; ProcessPrng a SIZE_T one: feed it in pieces. */
#define MAX_PIECE 0x40000000UL

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG piece = length > MAX_PIECE ? MAX_PIECE : (ULONG)length;
        if (!SystemFunction036(data, piece))
            return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}
