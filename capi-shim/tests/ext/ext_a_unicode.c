/* str, part 2: codecs through PyUnicode_*, UCS4/wchar_t, str methods, converters. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <wchar.h>
#include "testing.h"

static int eq(PyObject *s, const char *v) { return s && PyUnicode_Check(s) && PyUnicode_CompareWithASCIIString(s, v) == 0; }
static int beq(PyObject *b, const char *v, Py_ssize_t n) {
    return b && PyBytes_Check(b) && PyBytes_Size(b) == n && memcmp(PyBytes_AsString(b), v, n) == 0;
}

TEST(test_decoders) {
    PyObject *s = PyUnicode_DecodeASCII("abc", 3, NULL);
    ASSERT(eq(s, "abc")); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeASCII("a\xe9", 2, "strict") == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    s = PyUnicode_DecodeASCII("a\xe9", 2, "replace");
    ASSERT(s && PyUnicode_GetLength(s) == 2 && PyUnicode_ReadChar(s, 1) == 0xfffd); Py_DECREF(s);
    s = PyUnicode_DecodeASCII("a\xe9", 2, "ignore");
    ASSERT(eq(s, "a")); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeASCII("a\xe9", 2, "no-such-handler") == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    s = PyUnicode_DecodeLatin1("a\xe9", 2, NULL);
    ASSERT(s && PyUnicode_GetLength(s) == 2 && PyUnicode_ReadChar(s, 1) == 0xe9); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeLatin1("ab", 2, NULL) != NULL || 0);
    /* errors handler only looked up when needed */
    s = PyUnicode_DecodeLatin1("ab", 2, "no-such-handler");
    ASSERT(eq(s, "ab")); Py_DECREF(s);
    Py_ssize_t consumed = -1;
    s = PyUnicode_DecodeUTF8Stateful("ab\xc3", 3, NULL, &consumed);
    ASSERT(eq(s, "ab") && consumed == 2); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeUTF8Stateful("ab\xc3", 3, NULL, NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    s = PyUnicode_Decode("h\xc3\xa9", 3, "utf-8", NULL);
    ASSERT(s && PyUnicode_GetLength(s) == 2); Py_DECREF(s);
    s = PyUnicode_Decode("abc", 3, NULL, NULL);
    ASSERT(eq(s, "abc")); Py_DECREF(s);
    s = PyUnicode_Decode("abc", 3, "latin-1", NULL);
    ASSERT(eq(s, "abc")); Py_DECREF(s);
    ASSERT(PyUnicode_Decode("abc", 3, "no-such-codec", NULL) == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    s = PyUnicode_DecodeUnicodeEscape("a\\n\\x41\\u00e9", 13, NULL);
    ASSERT(s && PyUnicode_GetLength(s) == 4 && PyUnicode_ReadChar(s, 1) == '\n' && PyUnicode_ReadChar(s, 2) == 'A' && PyUnicode_ReadChar(s, 3) == 0xe9);
    Py_DECREF(s);
    ASSERT(PyUnicode_DecodeUnicodeEscape("\\x4", 3, NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    s = PyUnicode_DecodeRawUnicodeEscape("a\\n\\u00e9", 9, NULL);
    ASSERT(s && PyUnicode_GetLength(s) == 4 && PyUnicode_ReadChar(s, 1) == '\\' && PyUnicode_ReadChar(s, 3) == 0xe9);
    Py_DECREF(s);
    ASSERT(PyUnicode_DecodeRawUnicodeEscape("\\u00", 4, NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    Py_RETURN_NONE;
}

TEST(test_utf16_utf32) {
    int bo = 0;
    PyObject *s = PyUnicode_DecodeUTF16("\xff\xfe" "a\0b\0", 6, NULL, &bo);
    ASSERT(eq(s, "ab") && bo == -1); Py_DECREF(s);
    bo = 1;
    s = PyUnicode_DecodeUTF16("\0a\0b", 4, NULL, &bo);
    ASSERT(eq(s, "ab")); Py_DECREF(s);
    bo = -1;
    s = PyUnicode_DecodeUTF16("=\xd8\x00\xde", 4, NULL, &bo);  /* U+1F600 */
    ASSERT(s && PyUnicode_GetLength(s) == 1 && PyUnicode_ReadChar(s, 0) == 0x1F600); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeUTF16("a\0b", 3, NULL, &bo) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    Py_ssize_t consumed = -1;
    bo = -1;
    s = PyUnicode_DecodeUTF16Stateful("a\0b", 3, NULL, &bo, &consumed);
    ASSERT(eq(s, "a") && consumed == 2); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeUTF16Stateful("\x00\xdc", 2, NULL, &bo, &consumed) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    bo = -1;
    s = PyUnicode_DecodeUTF32("a\0\0\0b\0\0\0", 8, NULL, &bo);
    ASSERT(eq(s, "ab")); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeUTF32("\0\0\x11\0", 4, NULL, &bo) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    s = PyUnicode_DecodeUTF32Stateful("a\0\0\0b\0", 6, NULL, &bo, &consumed);
    ASSERT(eq(s, "a") && consumed == 4); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeUTF32Stateful("\0\0\x11\0", 4, NULL, &bo, &consumed) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    PyObject *u = PyUnicode_FromString("ab");
    PyObject *b = PyUnicode_AsUTF16String(u);
    ASSERT(b && PyBytes_Size(b) == 6); Py_DECREF(b);
    b = PyUnicode_AsUTF32String(u);
    ASSERT(b && PyBytes_Size(b) == 12); Py_DECREF(b);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicode_AsUTF16String(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_AsUTF32String(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(one); Py_DECREF(u);
    Py_RETURN_NONE;
}

TEST(test_encoders) {
    PyObject *u = PyUnicode_FromString("a\xc3\xa9\n\\");
    PyObject *b = PyUnicode_AsUnicodeEscapeString(u);
    ASSERT(beq(b, "a\\xe9\\n\\\\", 9)); Py_DECREF(b);
    b = PyUnicode_AsRawUnicodeEscapeString(u);
    ASSERT(beq(b, "a\xe9\n\\", 4)); Py_DECREF(b);
    b = PyUnicode_AsEncodedString(u, "latin-1", NULL);
    ASSERT(beq(b, "a\xe9\n\\", 4)); Py_DECREF(b);
    b = PyUnicode_AsLatin1String(u);
    ASSERT(beq(b, "a\xe9\n\\", 4)); Py_DECREF(b);
    ASSERT(PyUnicode_AsASCIIString(u) == NULL);
    ASSERT_RAISES(PyExc_UnicodeEncodeError);
    PyObject *a = PyUnicode_FromString("abc");
    b = PyUnicode_AsASCIIString(a);
    ASSERT(beq(b, "abc", 3)); Py_DECREF(b);
    b = PyUnicode_AsEncodedString(u, "ascii", "replace");
    ASSERT(beq(b, "a?\n\\", 4)); Py_DECREF(b);
    b = PyUnicode_AsEncodedString(u, "ascii", "xmlcharrefreplace");
    ASSERT(beq(b, "a&#233;\n\\", 9)); Py_DECREF(b);
    b = PyUnicode_AsEncodedString(u, "ascii", "backslashreplace");
    ASSERT(beq(b, "a\\xe9\n\\", 7)); Py_DECREF(b);
    ASSERT(PyUnicode_AsEncodedString(u, "no-such-codec", NULL) == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicode_AsUnicodeEscapeString(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_AsRawUnicodeEscapeString(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_AsLatin1String(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_AsEncodedString(one, "utf-8", NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    b = PyUnicode_EncodeFSDefault(a);
    ASSERT(beq(b, "abc", 3)); Py_DECREF(b);
    ASSERT(PyUnicode_EncodeFSDefault(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    b = PyUnicode_EncodeLocale(a, NULL);
    ASSERT(beq(b, "abc", 3)); Py_DECREF(b);
    ASSERT(PyUnicode_EncodeLocale(a, "bogus") == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *s = PyUnicode_DecodeLocale("xyz", NULL);
    ASSERT(eq(s, "xyz")); Py_DECREF(s);
    s = PyUnicode_DecodeLocaleAndSize("xy", 2, "strict");
    ASSERT(eq(s, "xy")); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeLocaleAndSize("xyzw", 2, NULL) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyUnicode_DecodeLocale("xyz", "bogus") == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyUnicode_DecodeLocaleAndSize("xyz", 3, "bogus") == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    s = PyUnicode_DecodeFSDefault("p/q");
    ASSERT(eq(s, "p/q")); Py_DECREF(s);
    s = PyUnicode_DecodeFSDefaultAndSize("p/q/r", 3);
    ASSERT(eq(s, "p/q")); Py_DECREF(s);
#ifdef PYOPAQUE
    ASSERT(PyUnicode_DecodeFSDefault(NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    /* strings are UTF-8: surrogateescape cannot represent undecodable bytes */
    ASSERT(PyUnicode_DecodeFSDefaultAndSize("\xff", 1) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
#endif
    ASSERT(strcmp(PyUnicode_GetDefaultEncoding(), "utf-8") == 0);
    Py_DECREF(one); Py_DECREF(a); Py_DECREF(u);
    Py_RETURN_NONE;
}

TEST(test_ucs4_wchar) {
    PyObject *u = PyUnicode_FromString("a\xc3\xa9\xf0\x9f\x98\x80");
    Py_UCS4 buf[8];
    ASSERT(PyUnicode_AsUCS4(u, buf, 8, 1) == buf);
    ASSERT(buf[0] == 'a' && buf[1] == 0xe9 && buf[2] == 0x1F600 && buf[3] == 0);
    ASSERT(PyUnicode_AsUCS4(u, buf, 3, 1) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyUnicode_AsUCS4(u, buf, 3, 0) == buf);
    Py_UCS4 *c = PyUnicode_AsUCS4Copy(u);
    ASSERT(c && c[2] == 0x1F600 && c[3] == 0);
    PyMem_Free(c);
    PyObject *one = PyLong_FromLong(1);
#ifdef PYOPAQUE
    ASSERT(PyUnicode_AsUCS4Copy(one) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyUnicode_AsUCS4(one, buf, 8, 1) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
#endif
    wchar_t w[8];
    ASSERT(PyUnicode_AsWideChar(u, NULL, 0) == 4);
    ASSERT(PyUnicode_AsWideChar(u, w, 8) == 3 && w[1] == 0xe9 && w[3] == 0);
    ASSERT(PyUnicode_AsWideChar(u, w, 2) == 2);
    ASSERT(PyUnicode_AsWideChar(NULL, w, 2) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    Py_ssize_t n = -1;
    wchar_t *ws = PyUnicode_AsWideCharString(u, &n);
    ASSERT(ws && n == 3 && ws[2] == 0x1F600 && ws[3] == 0);
    PyMem_Free(ws);
    PyObject *z = PyUnicode_FromStringAndSize("a\0b", 3);
    ASSERT(PyUnicode_AsWideCharString(z, NULL) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *f = PyUnicode_FromWideChar(L"h\u00e9y", -1);
    ASSERT(f && PyUnicode_GetLength(f) == 3 && PyUnicode_ReadChar(f, 1) == 0xe9);
    Py_DECREF(f);
    f = PyUnicode_FromWideChar(L"hey", 2);
    ASSERT(eq(f, "he")); Py_DECREF(f);
    ASSERT(PyUnicode_FromWideChar(NULL, 3) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    wchar_t bad[2] = {(wchar_t)0x110000, 0};
    ASSERT(PyUnicode_FromWideChar(bad, 1) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(z); Py_DECREF(one); Py_DECREF(u);
    Py_RETURN_NONE;
}

TEST(test_compare_and_append) {
    PyObject *a = PyUnicode_FromString("abc"), *b = PyUnicode_FromString("abd");
    PyObject *one = PyLong_FromLong(1);
    PyObject *r = PyUnicode_RichCompare(a, b, Py_LT);
    ASSERT(r == Py_True); Py_DECREF(r);
    r = PyUnicode_RichCompare(a, b, Py_EQ);
    ASSERT(r == Py_False); Py_DECREF(r);
    r = PyUnicode_RichCompare(a, one, Py_EQ);
    ASSERT(r == Py_NotImplemented); Py_DECREF(r);
#if PY_VERSION_HEX >= 0x030D0000
    ASSERT(PyUnicode_EqualToUTF8(a, "abc") == 1 && PyUnicode_EqualToUTF8(a, "ab") == 0);
    ASSERT(PyUnicode_EqualToUTF8(one, "1") == 0 && !PyErr_Occurred());
    ASSERT(PyUnicode_EqualToUTF8AndSize(a, "abcd", 3) == 1);
    ASSERT(PyUnicode_EqualToUTF8AndSize(a, "abcd", 4) == 0);
    ASSERT(PyUnicode_EqualToUTF8AndSize(one, "1", 1) == 0 && !PyErr_Occurred());
#endif
#if PY_VERSION_HEX >= 0x030E0000
    PyObject *a2 = PyUnicode_FromString("abc");
    ASSERT(PyUnicode_Equal(a, a2) == 1 && PyUnicode_Equal(a, b) == 0);
    ASSERT(PyUnicode_Equal(a, one) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(a2);
#endif
    PyObject *x = PyUnicode_FromString("x");
    Py_INCREF(b);
    PyUnicode_Append(&x, b);
    ASSERT(eq(x, "xabd"));
    PyUnicode_AppendAndDel(&x, b);  /* steals b's extra reference */
    ASSERT(eq(x, "xabdabd"));
    PyUnicode_Append(&x, one);
    ASSERT(x == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyObject *y = PyUnicode_FromString("y");
    Py_INCREF(one);
    PyUnicode_AppendAndDel(&y, one);
    ASSERT(y == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyObject *rs = PyUnicode_FromString("hello");
    ASSERT(PyUnicode_Resize(&rs, 3) == 0 && eq(rs, "hel"));
    ASSERT(PyUnicode_Resize(&rs, -1) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(rs);
    Py_DECREF(one); Py_DECREF(a); Py_DECREF(b);
    Py_RETURN_NONE;
}

TEST(test_str_methods) {
    PyObject *s = PyUnicode_FromString("a-b-c");
    PyObject *sep = PyUnicode_FromString("-");
    PyObject *empty = PyUnicode_FromString("");
    PyObject *one = PyLong_FromLong(1);
    PyObject *p = PyUnicode_Partition(s, sep);
    ASSERT(p && PyTuple_Size(p) == 3 && eq(PyTuple_GetItem(p, 0), "a") && eq(PyTuple_GetItem(p, 2), "b-c"));
    Py_DECREF(p);
    p = PyUnicode_RPartition(s, sep);
    ASSERT(p && eq(PyTuple_GetItem(p, 0), "a-b") && eq(PyTuple_GetItem(p, 2), "c"));
    Py_DECREF(p);
    ASSERT(PyUnicode_Partition(s, empty) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyUnicode_RPartition(s, one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *l = PyUnicode_RSplit(s, sep, 1);
    ASSERT(l && PyList_Size(l) == 2 && eq(PyList_GetItem(l, 0), "a-b") && eq(PyList_GetItem(l, 1), "c"));
    Py_DECREF(l);
    PyObject *ws = PyUnicode_FromString("  x y  z ");
    l = PyUnicode_RSplit(ws, NULL, 1);
    ASSERT(l && PyList_Size(l) == 2 && eq(PyList_GetItem(l, 0), "  x y") && eq(PyList_GetItem(l, 1), "z"));
    Py_DECREF(l);
    l = PyUnicode_RSplit(ws, NULL, -1);
    ASSERT(l && PyList_Size(l) == 3);
    Py_DECREF(l);
    ASSERT(PyUnicode_RSplit(s, empty, -1) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *lines = PyUnicode_FromString("a\nb\r\nc");
    l = PyUnicode_Splitlines(lines, 0);
    ASSERT(l && PyList_Size(l) == 3 && eq(PyList_GetItem(l, 1), "b"));
    Py_DECREF(l);
    l = PyUnicode_Splitlines(lines, 1);
    ASSERT(l && PyList_Size(l) == 3 && eq(PyList_GetItem(l, 1), "b\r\n"));
    Py_DECREF(l);
    ASSERT(PyUnicode_Splitlines(one, 0) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_FindChar(s, '-', 0, 5, 1) == 1);
    ASSERT(PyUnicode_FindChar(s, '-', 0, 5, -1) == 3);
    ASSERT(PyUnicode_FindChar(s, 'z', 0, 5, 1) == -1);
    ASSERT(PyUnicode_FindChar(s, '-', 2, 3, 1) == -1);
#ifdef PYOPAQUE
    ASSERT(PyUnicode_FindChar(one, '-', 0, 5, 1) == -2);
    ASSERT_RAISES(PyExc_TypeError);
#endif
    PyObject *id = PyUnicode_FromString("_abc1");
    ASSERT(PyUnicode_IsIdentifier(id) == 1);
    ASSERT(PyUnicode_IsIdentifier(s) == 0);
    ASSERT(PyUnicode_IsIdentifier(empty) == 0);
#ifdef PYOPAQUE
    /* A non-str: 0 without an exception (CPython 3.11 reads it as a str unchecked; the fuzzer
     * saw 0 there). */
    ASSERT(PyUnicode_IsIdentifier(one) == 0 && !PyErr_Occurred());
#endif
    PyObject *table = Py_BuildValue("{i:i,i:s,i:O}", 'a', 'A', 'b', "BB", 'c', Py_None);
    PyObject *t = PyUnicode_Translate(s, table, "ignore");
    ASSERT(eq(t, "A-BB-"));
    Py_DECREF(t);
    ASSERT(PyUnicode_Translate(s, table, NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeTranslateError);
    PyObject *badtable = Py_BuildValue("{i:d}", 'a', 1.5);
    ASSERT(PyUnicode_Translate(s, badtable, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(badtable); Py_DECREF(table); Py_DECREF(id);
    Py_DECREF(lines); Py_DECREF(ws); Py_DECREF(one); Py_DECREF(empty); Py_DECREF(sep); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_find_count_replace) {
    PyObject *s = PyUnicode_FromString("abcabc");
    PyObject *sub = PyUnicode_FromString("bc");
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicode_Find(s, sub, 0, 6, 1) == 1);
    ASSERT(PyUnicode_Find(s, sub, 0, 6, -1) == 4);
    ASSERT(PyUnicode_Find(s, sub, 5, 6, 1) == -1);
    ASSERT(PyUnicode_Find(s, one, 0, 6, 1) == -2);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_Count(s, sub, 0, 6) == 2);
    ASSERT(PyUnicode_Count(s, one, 0, 6) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_Tailmatch(s, sub, 0, 6, 1) == 1);
    ASSERT(PyUnicode_Tailmatch(s, sub, 0, 6, -1) == 0);
    ASSERT(PyUnicode_Tailmatch(s, one, 0, 6, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *x = PyUnicode_FromString("X");
    PyObject *r = PyUnicode_Replace(s, sub, x, -1);
    ASSERT(eq(r, "aXaX")); Py_DECREF(r);
    r = PyUnicode_Replace(s, sub, x, 1);
    ASSERT(eq(r, "aXabc")); Py_DECREF(r);
    ASSERT(PyUnicode_Replace(s, one, x, 1) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    r = PyUnicode_FromObject(s);
    ASSERT(r == s); Py_DECREF(r);
    ASSERT(PyUnicode_FromObject(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    r = PyUnicode_InternFromString("interned");
    ASSERT(eq(r, "interned"));
    PyUnicode_InternInPlace(&r);
    ASSERT(eq(r, "interned"));
    Py_DECREF(r);
    ASSERT(PyUnicode_InternFromString("\xff") == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    ASSERT(PyUnicode_GET_LENGTH(s) == 6);
    ASSERT(PyUnicode_READ_CHAR(s, 1) == 'b');
    ASSERT(PyUnicode_IS_ASCII(s));
#ifdef PYOPAQUE
    ASSERT(PyUnicode_GET_LENGTH(one) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyUnicode_READ_CHAR(one, 0) == (Py_UCS4)-1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyUnicode_IS_ASCII(one) == -1);
    ASSERT_RAISES(PyExc_SystemError);
#endif
    Py_DECREF(x); Py_DECREF(one); Py_DECREF(sub); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_charmap_and_encoded_object) {
    PyObject *m = PyUnicode_FromString("xyz");
    PyObject *s = PyUnicode_DecodeCharmap("\x02\x00", 2, m, NULL);
    ASSERT(eq(s, "zx")); Py_DECREF(s);
    s = PyUnicode_DecodeCharmap("ab", 2, NULL, NULL);
    ASSERT(eq(s, "ab")); Py_DECREF(s);
    ASSERT(PyUnicode_DecodeCharmap("\x05", 1, m, NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    PyObject *d = Py_BuildValue("{i:i}", 'q', 'Q');
    s = PyUnicode_DecodeCharmap("q", 1, d, NULL);
    ASSERT(eq(s, "Q")); Py_DECREF(s);
    PyObject *enc = Py_BuildValue("{i:i,i:y}", 'a', 'A', 'b', "BB");
    PyObject *u = PyUnicode_FromString("ab");
    PyObject *b = PyUnicode_AsCharmapString(u, enc);
    ASSERT(beq(b, "ABB", 3)); Py_DECREF(b);
    PyObject *u2 = PyUnicode_FromString("abc");
    ASSERT(PyUnicode_AsCharmapString(u2, enc) == NULL);
    ASSERT_RAISES(PyExc_UnicodeEncodeError);
    PyObject *bytes = PyBytes_FromString("h\xc3\xa9");
    s = PyUnicode_FromEncodedObject(bytes, "utf-8", NULL);
    ASSERT(s && PyUnicode_GetLength(s) == 2); Py_DECREF(s);
    s = PyUnicode_FromEncodedObject(bytes, NULL, NULL);
    ASSERT(s && PyUnicode_GetLength(s) == 2); Py_DECREF(s);
    ASSERT(PyUnicode_FromEncodedObject(u, "utf-8", NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicode_FromEncodedObject(one, "utf-8", NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_FromEncodedObject(bytes, "ascii", NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    Py_DECREF(one); Py_DECREF(bytes); Py_DECREF(u2); Py_DECREF(u); Py_DECREF(enc); Py_DECREF(d); Py_DECREF(m);
    Py_RETURN_NONE;
}

TEST(test_fs_converters) {
    PyObject *out = NULL;
    PyObject *s = PyUnicode_FromString("path/x");
    int r = PyUnicode_FSConverter(s, &out);
    ASSERT(r == Py_CLEANUP_SUPPORTED && beq(out, "path/x", 6));
    ASSERT(PyUnicode_FSConverter(NULL, &out) == 1 && out == NULL);
    PyObject *b = PyBytes_FromString("bpath");
    ASSERT(PyUnicode_FSConverter(b, &out) == Py_CLEANUP_SUPPORTED && beq(out, "bpath", 5));
    Py_CLEAR(out);
    ASSERT(PyUnicode_FSDecoder(b, &out) == Py_CLEANUP_SUPPORTED && eq(out, "bpath"));
    ASSERT(PyUnicode_FSDecoder(NULL, &out) == 1 && out == NULL);
    ASSERT(PyUnicode_FSDecoder(s, &out) == Py_CLEANUP_SUPPORTED && eq(out, "path/x"));
    Py_CLEAR(out);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicode_FSConverter(one, &out) == 0);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_FSDecoder(one, &out) == 0);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *nul = PyBytes_FromStringAndSize("a\0b", 3);
    ASSERT(PyUnicode_FSConverter(nul, &out) == 0);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *unul = PyUnicode_FromStringAndSize("a\0b", 3);
    ASSERT(PyUnicode_FSDecoder(unul, &out) == 0);
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(unul); Py_DECREF(nul); Py_DECREF(one); Py_DECREF(b); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_utf7_and_encoding_map) {
    PyObject *s = PyUnicode_DecodeUTF7("a+AOk-b", 7, NULL);
    ASSERT(s && PyUnicode_GetLength(s) == 3 && PyUnicode_ReadChar(s, 1) == 0xe9);
    Py_DECREF(s);
    s = PyUnicode_DecodeUTF7("1+-2", 4, NULL);
    ASSERT(eq(s, "1+2"));
    Py_DECREF(s);
    s = PyUnicode_DecodeUTF7("+2D3eAA-", 8, NULL);  /* U+1F600 */
    ASSERT(s && PyUnicode_GetLength(s) == 1 && PyUnicode_ReadChar(s, 0) == 0x1F600);
    Py_DECREF(s);
    ASSERT(PyUnicode_DecodeUTF7("a\xff", 2, NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    Py_ssize_t consumed = -1;
    s = PyUnicode_DecodeUTF7Stateful("a+AO", 4, NULL, &consumed);
    ASSERT(eq(s, "a") && consumed == 1);
    Py_DECREF(s);
    ASSERT(PyUnicode_DecodeUTF7Stateful("\xff", 1, NULL, &consumed) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    PyObject *table = PyUnicode_FromString("abc");
    PyObject *map = PyUnicode_BuildEncodingMap(table);
    ASSERT(map);
    PyObject *u = PyUnicode_FromString("cab");
    PyObject *b = PyUnicode_AsCharmapString(u, map);
    ASSERT(b && PyBytes_Size(b) == 3 && memcmp(PyBytes_AsString(b), "\x02\x00\x01", 3) == 0);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicode_BuildEncodingMap(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(one); Py_DECREF(b); Py_DECREF(u); Py_DECREF(map); Py_DECREF(table);
    Py_RETURN_NONE;
}

static int fmt_is(const char *fmt, PyObject *args, const char *want) {
    PyObject *f = PyUnicode_FromString(fmt);
    PyObject *r = PyUnicode_Format(f, args);
    int ok = r && PyUnicode_CompareWithASCIIString(r, want) == 0;
    if (!ok && r) {
        PyErr_Format(PyExc_AssertionError, "%s gave %R, wanted %s", fmt, r, want);
    }
    Py_XDECREF(r); Py_DECREF(f);
    return ok;
}

TEST(test_format) {
    PyObject *a = Py_BuildValue("(isd)", 42, "str", 2.5);
    ASSERT(fmt_is("%d|%s|%.2f|%%", a, "42|str|2.50|%"));
    Py_DECREF(a);
    a = Py_BuildValue("(iiii)", 255, 255, -255, 8);
    ASSERT(fmt_is("%x|%#X|%05d|%o", a, "ff|0XFF|-0255|10"));
    Py_DECREF(a);
    a = Py_BuildValue("(dddd)", 1e10, 0.0001, 123.456, 1.5);
    ASSERT(fmt_is("%e|%g|%g|%+.3g", a, "1.000000e+10|0.0001|123.456|+1.5"));
    Py_DECREF(a);
    a = Py_BuildValue("(s)", "abc");
    ASSERT(fmt_is("[%5s][%-5s][%.1s][%r]", Py_BuildValue("(ssss)", "ab", "ab", "xy", "q"), "[   ab][ab   ][x]['q']"));
    Py_DECREF(a);
    PyObject *one = PyLong_FromLong(7);
    ASSERT(fmt_is("n=%d", one, "n=7"));
    ASSERT(fmt_is("%c%c", Py_BuildValue("(is)", 65, "B"), "AB"));
    ASSERT(fmt_is("%*d|%-*d|", Py_BuildValue("(iiii)", 4, 1, 3, 2), "   1|2  |"));
    PyObject *d = Py_BuildValue("{s:i,s:s}", "x", 1, "y", "why");
    ASSERT(fmt_is("%(x)d-%(y)s", d, "1-why"));
    PyObject *f = PyUnicode_FromString("%d %d");
    ASSERT(PyUnicode_Format(f, one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(f);
    f = PyUnicode_FromString("%d");
    PyObject *two = Py_BuildValue("(ii)", 1, 2);
    ASSERT(PyUnicode_Format(f, two) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *s = Py_BuildValue("(s)", "x");
    ASSERT(PyUnicode_Format(f, s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(f);
    f = PyUnicode_FromString("%z");
    ASSERT(PyUnicode_Format(f, one) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(f);
    Py_DECREF(s); Py_DECREF(two); Py_DECREF(d); Py_DECREF(one);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_format),
    DEF(test_utf7_and_encoding_map),
    DEF(test_decoders),
    DEF(test_utf16_utf32),
    DEF(test_encoders),
    DEF(test_ucs4_wchar),
    DEF(test_compare_and_append),
    DEF(test_str_methods),
    DEF(test_find_count_replace),
    DEF(test_charmap_and_encoded_object),
    DEF(test_fs_converters),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_a_unicode", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_a_unicode(void) { return PyModule_Create(&module); }
