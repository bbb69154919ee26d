# Makes the classes of cdef_classes.py extension types (Cython's "augmenting .pxd"), as
# Cython's own benchmarks do: the same source then runs as plain Python under python3.
cdef class Vec:
    cdef public double x, y

cdef class Base:
    cdef public long n

cdef class Derived(Base):
    pass

cdef class Bag:
    cdef public object items
