// The converters libxml2 would take from ICU, all refusing. Debian's libxml2 asks ICU only for an
// encoding that neither it nor iconv knows, and the stream parser never asks at all (UTF-8 fixed,
// XML_PARSE_IGNORE_ENC: XMPP is UTF-8 only). Linking libxml2 statically (the release build) would
// otherwise bring ICU and, through it, libstdc++ as shared libraries: about 1.7 MiB resident for
// code that never runs (README, Figures). ICU's own header renames each function to its versioned
// symbol (ucnv_open_72...), so these match whatever ICU libxml2 was built against.
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>

UConverter *ucnv_open(const char *converterName, UErrorCode *err) {
    (void)converterName;
    if (err != NULL) *err = U_UNSUPPORTED_ERROR;
    return NULL;
}

void ucnv_close(UConverter *converter) { (void)converter; }

void ucnv_convertEx(UConverter *targetCnv, UConverter *sourceCnv, char **target, const char *targetLimit,
                    const char **source, const char *sourceLimit, UChar *pivotStart, UChar **pivotSource,
                    UChar **pivotTarget, const UChar *pivotLimit, UBool reset, UBool flush,
                    UErrorCode *pErrorCode) {
    (void)targetCnv; (void)sourceCnv; (void)target; (void)targetLimit; (void)source; (void)sourceLimit;
    (void)pivotStart; (void)pivotSource; (void)pivotTarget; (void)pivotLimit; (void)reset; (void)flush;
    if (pErrorCode != NULL) *pErrorCode = U_UNSUPPORTED_ERROR;
}

void ucnv_setToUCallBack(UConverter *converter, UConverterToUCallback newAction, const void *newContext,
                         UConverterToUCallback *oldAction, const void **oldContext, UErrorCode *err) {
    (void)converter; (void)newAction; (void)newContext; (void)oldAction; (void)oldContext;
    if (err != NULL) *err = U_UNSUPPORTED_ERROR;
}

void ucnv_setFromUCallBack(UConverter *converter, UConverterFromUCallback newAction, const void *newContext,
                           UConverterFromUCallback *oldAction, const void **oldContext, UErrorCode *err) {
    (void)converter; (void)newAction; (void)newContext; (void)oldAction; (void)oldContext;
    if (err != NULL) *err = U_UNSUPPORTED_ERROR;
}

void UCNV_TO_U_CALLBACK_STOP(const void *context, UConverterToUnicodeArgs *toUArgs, const char *codeUnits,
                             int32_t length, UConverterCallbackReason reason, UErrorCode *err) {
    (void)context; (void)toUArgs; (void)codeUnits; (void)length; (void)reason; (void)err;
}

void UCNV_FROM_U_CALLBACK_STOP(const void *context, UConverterFromUnicodeArgs *fromUArgs, const UChar *codeUnits,
                               int32_t length, UChar32 codePoint, UConverterCallbackReason reason, UErrorCode *err) {
    (void)context; (void)fromUArgs; (void)codeUnits; (void)length; (void)codePoint; (void)reason; (void)err;
}
