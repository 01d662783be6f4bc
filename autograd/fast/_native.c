/* Optimisation: stepgrad's Value as a C type, with the chain rule over it in C.

   This file is the compiled engine. It is written for a reader who knows the Python
   engine, the reference it must agree with bit for bit:

     autograd/value.py     what a node holds, and how each operator builds one;
     autograd/ops.py       each op's value and local derivatives;
     autograd/backprop.py  the topological order and the chain-rule loop.

   A node here holds the same things as a Python Value (its value, gradient, inputs,
   op, label and stamp) in 64 bytes, and is not tracked by Python's cyclic garbage
   collector: a graph is a DAG of nodes that point only at their inputs, so reference
   counting frees it the moment it is dropped (iteratively, so a graph of any depth).

   What stays in Python, and why:
   - the ops themselves (autograd/ops.py): a node's `_op` is the op object of ops.py, so
     the explorer, drawings and `backward_steps()` read the same math, and a debugger
     stops in `Mul.local_derivatives` as before (the reference loop runs under one);
   - every error: wherever the C code meets anything unusual (an input outside an op's
     domain, a result that is not finite, a number of an unexpected type) it hands the
     operation to Python (`autograd.fast.native.forward_in_python`), which raises the
     reference's own error, or computes the reference's own result;
   - `backward()` declines (returns False, gradients untouched) wherever the reference
     has more to do than arithmetic: hooks, stale inputs, a derivative that fails or is
     not finite. The reference loop then runs, and raises or computes exactly.

   The arithmetic is the reference's, operation for operation and in the same order,
   so results are the same doubles; tests/autograd/fast/test_native_ops.py and
   test_native_graphs.py pin every op,
   its derivatives and its edge cases to ops.py. Compiled with -ffp-contract=off, so
   that a*b + c is never fused into one rounding. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* -- what a node is --------------------------------------------------------------- */

/* The op that made a node. Ops of two Values, of a Value and a number `c` (held in the
   node: ops.py's AddConstant, MulConstant, ...), of one Value, of many (the tuple of
   inputs in `a`), and PY_UNARY / PY_MANY for any other op of ops.py or of the user
   (autograd.Function), which C cannot differentiate and so asks, in Python. */
typedef enum {
    LEAF,
    ADD, SUB, MUL, DIV, POW,                                /* a ⊙ b                 */
    ADD_C, SUB_C, C_SUB, MUL_C, DIV_C, C_DIV, POW_C,        /* x+c x-c c-x x·c x/c c/x x**c */
    NEG, EXP, LOG, LOG1P, TANH, SIGMOID, RELU, SQRT, ABS, SIN, COS,
    SUM, MEAN, DOT, AFFINE, AFFINE_RELU, AFFINE_TANH, AFFINE_SIGMOID,
    PY_UNARY, PY_MANY,
    KINDS
} Kind;

#define IS_BINARY(k) ((k) >= ADD && (k) <= POW)
#define IS_CONSTANT(k) ((k) >= ADD_C && (k) <= POW_C)
#define IS_MANY(k) (((k) >= SUM && (k) <= AFFINE_SIGMOID) || (k) == PY_MANY)
#define IS_AFFINE(k) ((k) >= AFFINE && (k) <= AFFINE_SIGMOID)

/* flags */
#define UNRECORDED 1   /* a leaf computed under no_grad() (`_b is UNRECORDED`) */
#define EXPANDED 2     /* reached by the walk in progress (cleared when it ends) */

typedef struct {
    PyObject_HEAD
    double data;        /* `_data` */
    double grad;        /* `.grad` */
    PyObject *a;        /* the first input; for the many-input kinds the tuple of inputs,
                           but for a neuron (AFFINE*) its row (w₁ … wₙ, b), see below */
    union {
        PyObject *b;    /* the second input (binary kinds); a neuron's inputs (x₁ … xₙ) */
        double c;       /* the number (constant kinds: x * c holds c) */
        PyObject *op;   /* the op (PY_UNARY, PY_MANY) */
    } u;
    PyObject *label;    /* `.label`, or NULL for None */
    uint64_t kind : 8, flags : 8, stamp : 48;  /* `_op` (as a Kind), marks, `_stamp` */
} Node;

/* A neuron, act(w·x + b), has the inputs (w₁ … wₙ, x₁ … xₙ, b) of ops.Affine, in that
   order in `parents`; it holds them as two tuples that other neurons share: its row of
   weights with its bias, (w₁ … wₙ, b), which every call of the layer reads, in `a`, and
   the inputs (x₁ … xₙ), which every neuron of one call reads, in `u.b`. So a neuron of
   n inputs costs one node, not a tuple of 2n + 1 as well. */

static PyTypeObject *ValueType;
/* (A Python subclass of Value, which tests make to weakly reference a leaf, is a Value.) */
#define IS_VALUE(o) (Py_TYPE(o) == ValueType || PyType_IsSubtype(Py_TYPE(o), ValueType))
#define NODE(o) ((Node *)(o))

/* -- what the Python side gives us (autograd/fast/native.py, `setup`) --------------- */

static PyObject *KIND_OP[KINDS];     /* the op object of ops.py for each fixed kind    */
static PyObject *KIND_NAME[KINDS];   /* its name, what `Value.op` reports              */
static PyObject *CONSTANT_OP[KINDS]; /* for the constant kinds: the class, op(c)      */
static PyObject *MANY_INPUTS_, *UNRECORDED_;  /* autograd.value's sentinels            */
static PyObject *GRAD_MODE, *ANOMALY, *DATA_CLOCK;
static Py_ssize_t GRAD_MODE_AT, ANOMALY_AT, CLOCK_AT;  /* where their slots live     */
static PyObject *as_finite_float, *forward_in_python, *record_site, *clamp_op;
static PyObject *rpow_op, *HOOKS;
static int plain_sum;  /* Python's sum() adds floats left to right (before 3.12) */

/* The flags of autograd.grad_mode and autograd.anomaly, and autograd.value's clock, are
   __slots__ of small Python objects; reading the slot directly costs a load, where
   getattr would cost more than the rest of building a node. */
#define SLOT(obj, at) (*(PyObject **)((char *)(obj) + (at)))
#define GRAD_ENABLED() (SLOT(GRAD_MODE, GRAD_MODE_AT) == Py_True)
#define ANOMALY_ENABLED() (SLOT(ANOMALY, ANOMALY_AT) == Py_True)

static PyObject *clock_seen;  /* the int DATA_CLOCK.now held when last read ...     */
static uint64_t clock_value;  /* ... and its value (ints are immutable: same object, same value) */

static inline uint64_t clock_now(void) {
    PyObject *now = SLOT(DATA_CLOCK, CLOCK_AT);
    if (now != clock_seen) {
        Py_INCREF(now);
        Py_XSETREF(clock_seen, now);
        clock_value = (uint64_t)PyLong_AsUnsignedLongLong(now) & (((uint64_t)1 << 48) - 1);
    }
    return clock_value;
}

/* -- building nodes ----------------------------------------------------------------- */

/* Memory: nodes live in slabs of 64 KiB, 1,023 nodes each after the slab's header, each
   node one 64-byte cache line. A new node comes from the slab in use, from the nodes
   freed there first, so the nodes of a graph sit close together however often graphs
   are built and dropped (a single list of all freed nodes, reused last-freed first,
   scatters them further with every training step). A slab whose nodes are all freed is
   kept for the next graph, up to EMPTY_SLABS_KEPT of them (16 MiB), so that a training
   step does not hand its graph's memory back and fault it in again; beyond that, and on
   `release_memory()`, it goes back to the system.

   tracemalloc sees each node as an allocation of 64 bytes, while it is tracing, as it
   sees the objects pymalloc hands out (whether it is tracing is asked once per slab
   taken, per leaf made and per dealloc that frees nodes, not per node). */
#define SLAB_BYTES ((size_t)1 << 16)
#define SLAB_NODES (SLAB_BYTES / sizeof(Node) - 1)
#define SLAB_OF(n) ((Slab *)((uintptr_t)(n) & ~(uintptr_t)(SLAB_BYTES - 1)))
#define EMPTY_SLABS_KEPT 256

typedef struct Slab {
    struct Slab *prev, *next;  /* in open_slabs, the slabs with room other than `current` */
    Node *free;                /* this slab's freed nodes, linked through their `a` */
    uint32_t live;             /* its nodes in use */
    uint32_t fresh;            /* its nodes handed out at least once (the rest never) */
    int open;                  /* whether it is in open_slabs */
} Slab;

_Static_assert(sizeof(Slab) <= sizeof(Node), "a slab's header fits in one node's place");
_Static_assert(sizeof(Node) == 64, "a node is one 64-byte cache line");

static Slab *current, *open_slabs;
static Py_ssize_t slab_count, empty_slabs, live_nodes;
static int tracing;  /* tracemalloc is tracing (as last asked) */

static inline void ask_tracing(void) {
    tracing = PyTraceMalloc_Untrack(0, 0) != -2;  /* -2: not tracing (untracks nothing) */
}

static void unlink_slab(Slab *s) {
    if (s->prev)
        s->prev->next = s->next;
    else
        open_slabs = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
    s->open = 0;
}

static void link_slab(Slab *s) {
    s->prev = NULL;
    s->next = open_slabs;
    if (open_slabs)
        open_slabs->prev = s;
    open_slabs = s;
    s->open = 1;
}

/* The slab to take nodes from once `current` is full: an open one, or a new one. */
static Slab *next_slab(void) {
    ask_tracing();
    Slab *s = open_slabs;
    if (s != NULL) {
        unlink_slab(s);
        if (s->live == 0)
            empty_slabs--;
    } else {
        void *memory;
        if (posix_memalign(&memory, SLAB_BYTES, SLAB_BYTES) != 0) {
            PyErr_NoMemory();
            return NULL;
        }
        s = memory;
        s->prev = s->next = NULL;
        s->free = NULL;
        s->live = s->fresh = 0;
        s->open = 0;
        slab_count++;
    }
    current = s;
    return s;
}

static inline Node *take_node(void) {
    Slab *s = current;
    if ((s == NULL || (s->free == NULL && s->fresh == SLAB_NODES)) && (s = next_slab()) == NULL)
        return NULL;
    Node *n;
    if (s->free != NULL) {
        n = s->free;
        s->free = (Node *)n->a;
    } else
        n = (Node *)((char *)s + sizeof(Node)) + s->fresh++;  /* (the header is one node's size) */
    s->live++;
    live_nodes++;
    if (tracing)
        PyTraceMalloc_Track(0, (uintptr_t)n, sizeof(Node));
    return n;
}

static inline void give_back_node(Node *n) {
    Slab *s = SLAB_OF(n);
    if (tracing)
        PyTraceMalloc_Untrack(0, (uintptr_t)n);
    n->a = (PyObject *)s->free;
    s->free = n;
    s->live--;
    live_nodes--;
    if (s->live == 0) {  /* empty: its nodes will be handed out in address order again */
        s->free = NULL;
        s->fresh = 0;
    }
    if (s == current)
        return;
    if (!s->open)
        link_slab(s);
    if (s->live == 0) {
        if (empty_slabs < EMPTY_SLABS_KEPT)
            empty_slabs++;
        else {
            unlink_slab(s);
            free(s);
            slab_count--;
        }
    }
}

static Node *alloc_node(double data) {
    Node *n = take_node();
    if (n == NULL)
        return NULL;
#if defined(Py_TRACE_REFS) || defined(Py_REF_DEBUG)
    PyObject_Init((PyObject *)n, ValueType);
#else  /* what PyObject_Init does in a release build, as CPython's float free list does */
    Py_SET_TYPE(n, ValueType);
    Py_INCREF(ValueType);
    Py_SET_REFCNT(n, 1);
#endif
    n->data = data;
    n->grad = 0.0;
    n->a = NULL;
    n->u.b = NULL;
    n->label = NULL;
    n->kind = LEAF;
    n->flags = 0;
    n->stamp = clock_now();
    return n;
}

/* The node `kind(a, b-or-c-or-op)`, as autograd.value's builders make it: recorded
   unless no_grad() is on (then a leaf, `_b is UNRECORDED`), and with its creation site
   in anomaly mode. `a` and `b` are borrowed (the node takes its own references). */
static inline PyObject *make(Kind kind, double data, PyObject *a, PyObject *b, double c) {
    Node *n = alloc_node(data);
    if (n == NULL)
        return NULL;
    if (!GRAD_ENABLED()) {
        n->flags = UNRECORDED;
        return (PyObject *)n;
    }
    n->kind = kind;
    Py_INCREF(a);
    n->a = a;
    if (IS_CONSTANT(kind))
        n->u.c = c;
    else if (b != NULL) {
        Py_INCREF(b);
        n->u.b = b;
    }
    if (ANOMALY_ENABLED()) {
        PyObject *done = PyObject_CallOneArg(record_site, (PyObject *)n);
        if (done == NULL) {
            Py_DECREF(n);
            return NULL;
        }
        Py_DECREF(done);
    }
    return (PyObject *)n;
}

static PyObject *new_leaf(double data, PyObject *label) {  /* label: a str, None or NULL */
    Node *n = alloc_node(data);
    if (n != NULL && label != NULL && label != Py_None) {
        Py_INCREF(label);
        n->label = label;
    }
    return (PyObject *)n;
}

/* -- freeing: iterative, so that a chain of any length is freed without recursion ---- */

static PyObject **to_free;
static Py_ssize_t to_free_count, to_free_room;
static int freeing;

/* Drop one reference to `o`. A node (of this exact type) that this would free is set
   aside instead, its reference kept, and freed by the outermost dealloc's loop below, so
   that freeing a chain never recurses. */
static inline void release(PyObject *o) {
    if (o == NULL)
        return;
    if (Py_TYPE(o) == ValueType && Py_REFCNT(o) == 1) {
        if (to_free_count == to_free_room) {
            Py_ssize_t room = to_free_room ? 2 * to_free_room : 256;
            PyObject **grown = PyMem_Realloc(to_free, room * sizeof(PyObject *));
            if (grown == NULL) {
                Py_DECREF(o);  /* no memory to defer: free it now, recursively */
                return;
            }
            to_free = grown;
            to_free_room = room;
        }
        to_free[to_free_count++] = o;
        return;
    }
    Py_DECREF(o);
}

/* Free one node's memory and drop its references (its inputs, op or label). */
static inline void free_node(Node *n) {
    PyTypeObject *type = Py_TYPE(n);
    PyObject *a = n->a, *b = IS_CONSTANT(n->kind) ? NULL : n->u.b, *label = n->label;
    if (type != ValueType)
        type->tp_free((PyObject *)n);  /* a Python subclass's instance */
    else
        give_back_node(n);
    Py_DECREF(type);
    release(a);
    release(b);
    release(label);
}

static void value_dealloc(PyObject *self) {
    if (freeing) {  /* reached from inside another object's dealloc (a label's): set aside */
        if (to_free_count < to_free_room) {
            to_free[to_free_count++] = self;
            return;
        }
        free_node(NODE(self));  /* (no room: freed now, which recursion bounds) */
        return;
    }
    ask_tracing();
    freeing = 1;
    free_node(NODE(self));
    /* Each node set aside has one reference left (the one release() kept), or none (set
       aside above): it is freed here directly, without a call per node. */
    while (to_free_count)
        free_node(NODE(to_free[--to_free_count]));
    freeing = 0;
}

/* -- numbers ------------------------------------------------------------------------ */

/* `x` as a finite float, as autograd.scalars.as_finite_float(x, where) gives it (which is
   asked for anything but a finite float or a small int). -1 with an error set. */
static int finite_number(PyObject *x, PyObject *where, double *out) {
    if (PyFloat_CheckExact(x)) {
        *out = PyFloat_AS_DOUBLE(x);
        if (isfinite(*out))
            return 0;
    } else if (PyLong_CheckExact(x)) {
        *out = PyLong_AsDouble(x);
        if (!(*out == -1.0 && PyErr_Occurred()))
            return 0;
        PyErr_Clear();
    }
    PyObject *f = PyObject_CallFunctionObjArgs(as_finite_float, x, where, NULL);
    if (f == NULL)
        return -1;
    *out = PyFloat_AsDouble(f);
    Py_DECREF(f);
    return 0;
}

/* a ** b exactly as Python's float ** computes it (Objects/floatobject.c, float_pow),
   for finite a and b; sets *fails where Python raises (then Python is asked). */
static double python_pow(double iv, double iw, int *fails) {
    int negate = 0;
    if (iw == 0.0)
        return 1.0;
    if (iv == 0.0) {
        if (iw < 0.0) {
            *fails = 1;
            return 0.0;
        }
        return fmod(fabs(iw), 2.0) == 1.0 ? iv : 0.0;  /* iw odd: keep the zero's sign */
    }
    if (iv < 0.0) {
        if (iw != floor(iw)) {
            *fails = 1;
            return 0.0;
        }
        iv = -iv;
        negate = fmod(fabs(iw), 2.0) == 1.0;
    }
    if (iv == 1.0)
        return negate ? -1.0 : 1.0;
    if (iw == 1.0)  /* pow(x, 1) is x exactly (within 0.52 ulp of x, glibc's bound, is x) */
        return negate ? -iv : iv;
    errno = 0;
    double ix = pow(iv, iw);
    if (errno == 0) {  /* _Py_ADJUST_ERANGE1 */
        if (ix == HUGE_VAL || ix == -HUGE_VAL)
            errno = ERANGE;
    } else if (errno == ERANGE && ix == 0.0)
        errno = 0;
    if (errno != 0)
        *fails = 1;
    return negate ? -ix : ix;
}

/* ops._power: a ** b over the reals (Pow, and x ** n for any n). */
static double power(double a, double b, int *fails) {
    if ((a == 0.0 && b < 0.0) || (a < 0.0 && b != floor(b))) {
        *fails = 1;
        return 0.0;
    }
    return python_pow(a, b, fails);
}

/* Python's sum(values, start) over floats, before 3.12: left to right. */
static inline double add_all(double start, const double *x, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        start += x[i];
    return start;
}

/* -- forward: each op's value, as ops.py computes it -------------------------------- */

/* The value of `kind` at x (and y, or the number c); *fails where Python raises, or
   where the result is not finite (the reference checks every binary result). */
static inline __attribute__((always_inline)) double forward(Kind kind, double x, double y, int *fails) {
    double r;
    switch (kind) {
    case ADD: r = x + y; break;
    case SUB: r = x - y; break;
    case MUL: r = x * y; break;
    case DIV:
        if (y == 0.0) { *fails = 1; return 0.0; }
        r = x / y; break;
    case POW: r = power(x, y, fails); break;
    case ADD_C: r = y + x; break;      /* partial(add, c)(x) is c + x */
    case SUB_C: r = -y + x; break;     /* partial(add, -c)(x) */
    case C_SUB: r = y - x; break;
    case MUL_C: r = y * x; break;
    case DIV_C:
        if (y == 0.0) { *fails = 1; return 0.0; }
        r = x / y; break;
    case C_DIV:
        if (x == 0.0) { *fails = 1; return 0.0; }
        r = y / x; break;
    case POW_C:  /* PowConstantExponent: x ** n (n a whole number >= 1), else _power */
        r = (y >= 1.0 && y == floor(y)) ? python_pow(x, y, fails) : power(x, y, fails);
        break;
    case NEG: r = -x; break;
    case EXP: r = exp(x); break;
    case LOG:
        if (x <= 0.0) { *fails = 1; return 0.0; }
        r = log(x); break;
    case LOG1P:
        if (x <= -1.0) { *fails = 1; return 0.0; }
        r = x == 0.0 ? x : log1p(x); break;  /* math.log1p returns a zero as it is */
    case TANH: r = tanh(x); break;
    case SIGMOID:
        if (x >= 0.0)
            r = 1.0 / (1.0 + exp(-x));
        else {
            double e = exp(x);
            r = e / (1.0 + e);
        }
        break;
    case RELU: r = x > 0.0 ? x : 0.0; break;
    case SQRT:
        if (x < 0.0) { *fails = 1; return 0.0; }
        r = sqrt(x); break;
    case ABS: r = fabs(x); break;
    case SIN: r = sin(x); break;
    case COS: r = cos(x); break;
    default: *fails = 1; return 0.0;
    }
    if (!isfinite(r))
        *fails = 1;
    return r;
}

/* The op object of ops.py that made a node of a fixed kind (new reference). */
static PyObject *op_of_kind(Kind kind, double c) {
    if (IS_CONSTANT(kind))
        return PyObject_CallFunction(CONSTANT_OP[kind], "d", c);
    Py_INCREF(KIND_OP[kind]);
    return KIND_OP[kind];
}

/* Where C would be wrong or raise: the reference's own answer, from Python (its result,
   or its error with the labels and anomaly site it adds). */
static int ask_python(Kind kind, PyObject *op, PyObject *a, PyObject *b, double c,
                      double *out) {
    PyObject *own = op;
    if (own == NULL && (own = op_of_kind(kind, c)) == NULL)
        return -1;
    PyObject *r = PyObject_CallFunctionObjArgs(
        forward_in_python, own, a, b ? b : Py_None, IS_BINARY(kind) || IS_CONSTANT(kind)
        ? Py_True : Py_False, NULL);
    if (own != op)
        Py_DECREF(own);
    if (r == NULL)
        return -1;
    *out = PyFloat_AsDouble(r);
    Py_DECREF(r);
    return PyErr_Occurred() ? -1 : 0;
}

/* -- the operators ------------------------------------------------------------------ */

/* The constant kind for `x ⊙ c`, and for `c ⊙ x` (value.py's `with_number`). */
static const Kind WITH_NUMBER[] = {[ADD] = ADD_C, [SUB] = SUB_C, [MUL] = MUL_C,
                                   [DIV] = DIV_C, [POW] = POW_C};
static const Kind NUMBER_WITH[] = {[ADD] = ADD_C, [SUB] = C_SUB, [MUL] = MUL_C,
                                   [DIV] = C_DIV};

/* `left ⊙ right` with a Value on at least one side: value.py's _binary_operator. */
static inline __attribute__((always_inline)) PyObject *binary(PyObject *left, PyObject *right, Kind kind) {
    int fails = 0;
    double data, c;
    if (Py_TYPE(left) == ValueType && PyFloat_CheckExact(right)) {  /* x ⊙ 0.5: most common */
        c = PyFloat_AS_DOUBLE(right);
        if (isfinite(c)) {
            Kind folded = WITH_NUMBER[kind];
            data = forward(folded, NODE(left)->data, c, &fails);
            if (fails && ask_python(folded, NULL, left, NULL, c, &data) < 0)
                return NULL;
            return make(folded, data, left, NULL, c);
        }
    }
    if (Py_TYPE(left) == ValueType && PyLong_CheckExact(right)) {  /* x ** 2, x * 3 */
        c = PyLong_AsDouble(right);
        if (!(c == -1.0 && PyErr_Occurred())) {
            Kind folded = WITH_NUMBER[kind];
            data = forward(folded, NODE(left)->data, c, &fails);
            if (fails && ask_python(folded, NULL, left, NULL, c, &data) < 0)
                return NULL;
            return make(folded, data, left, NULL, c);
        }
        PyErr_Clear();  /* too large for a float: finite_number below says so */
    }
    if (IS_VALUE(left) && (Py_TYPE(right) == ValueType
                           || (!PyFloat_CheckExact(right) && !PyLong_CheckExact(right)
                               && IS_VALUE(right)))) {
        data = forward(kind, NODE(left)->data, NODE(right)->data, &fails);
        if (fails && ask_python(kind, NULL, left, right, 0.0, &data) < 0)
            return NULL;
        return make(kind, data, left, right, 0.0);
    }
    int reflected = !IS_VALUE(left);
    PyObject *x = reflected ? right : left, *number = reflected ? left : right;
    if (finite_number(number, KIND_NAME[kind], &c) < 0)
        return NULL;
    Kind folded = reflected ? NUMBER_WITH[kind] : WITH_NUMBER[kind];
    data = forward(folded, NODE(x)->data, c, &fails);
    if (fails && ask_python(folded, NULL, x, NULL, c, &data) < 0)
        return NULL;
    return make(folded, data, x, NULL, c);
}

static PyObject *value_add(PyObject *l, PyObject *r) { return binary(l, r, ADD); }
static PyObject *value_sub(PyObject *l, PyObject *r) { return binary(l, r, SUB); }
static PyObject *value_mul(PyObject *l, PyObject *r) { return binary(l, r, MUL); }
static PyObject *value_div(PyObject *l, PyObject *r) { return binary(l, r, DIV); }

/* A PY_UNARY node: an op of ops.py that C does not compute (clamp, c ** x). */
static PyObject *python_unary(PyObject *op, PyObject *x) {
    double data;
    if (ask_python(PY_UNARY, op, x, NULL, 0.0, &data) < 0)
        return NULL;
    return make(PY_UNARY, data, x, op, 0.0);
}

/* x ** n, n ** x and x ** y (value.py's __pow__ and __rpow__). */
static PyObject *value_pow(PyObject *left, PyObject *right, PyObject *modulo) {
    if (modulo != Py_None) {
        PyErr_SetString(PyExc_TypeError, "pow: a Value takes no modulo (pow(x, n, m))");
        return NULL;
    }
    if (IS_VALUE(left))
        return binary(left, right, POW);
    double base;  /* base ** x: one input, the exponent */
    if (finite_number(left, KIND_NAME[POW], &base) < 0)
        return NULL;
    PyObject *op = PyObject_CallFunction(rpow_op, "d", base);
    if (op == NULL)
        return NULL;
    PyObject *out = python_unary(op, right);
    Py_DECREF(op);
    return out;
}

static PyObject *unary(PyObject *x, Kind kind) {
    int fails = 0;
    double data = forward(kind, NODE(x)->data, 0.0, &fails);
    if (fails && ask_python(kind, NULL, x, NULL, 0.0, &data) < 0)
        return NULL;
    return make(kind, data, x, NULL, 0.0);
}

static PyObject *value_neg(PyObject *x) { return unary(x, NEG); }
static PyObject *value_absolute(PyObject *x) { return unary(x, ABS); }
static PyObject *value_pos(PyObject *x) { Py_INCREF(x); return x; }
static PyObject *value_float(PyObject *x) { return PyFloat_FromDouble(NODE(x)->data); }

#define UNARY_METHOD(name, KIND)                                       \
    static PyObject *value_##name(PyObject *x, PyObject *unused) {     \
        (void)unused;                                                  \
        return unary(x, KIND);                                         \
    }
UNARY_METHOD(exp, EXP)
UNARY_METHOD(log, LOG)
UNARY_METHOD(log1p, LOG1P)
UNARY_METHOD(tanh, TANH)
UNARY_METHOD(sigmoid, SIGMOID)
UNARY_METHOD(relu, RELU)
UNARY_METHOD(sqrt, SQRT)
UNARY_METHOD(abs, ABS)
UNARY_METHOD(sin, SIN)
UNARY_METHOD(cos, COS)

static PyObject *value_clamp(PyObject *x, PyObject *args, PyObject *kwargs) {
    PyObject *op = PyObject_Call(clamp_op, args, kwargs);  /* checks the bounds */
    if (op == NULL)
        return NULL;
    PyObject *out = python_unary(op, x);
    Py_DECREF(op);
    return out;
}

/* -- ops of many inputs ------------------------------------------------------------- */

/* The value of a SUM, MEAN or DOT node over `inputs` (all Values), as Python's sum()
   adds them (ops.Sum, ops.Mean, ops.Dot: sum(map(mul, w, x), b)); *fails where Python
   raises or the sum is not finite. (A neuron's value is neuron_forward's.) */
static double many_forward(Kind kind, PyObject *inputs, int *fails) {
    Py_ssize_t n = PyTuple_GET_SIZE(inputs), half = n / 2;
    PyObject **x = &PyTuple_GET_ITEM(inputs, 0);
    double total = kind == DOT ? NODE(x[n - 1])->data : 0.0;
    if (kind == DOT)
        for (Py_ssize_t i = 0; i < half; i++)
            total += NODE(x[i])->data * NODE(x[half + i])->data;
    else
        for (Py_ssize_t i = 0; i < n; i++)
            total += NODE(x[i])->data;
    if (!isfinite(total)) {
        *fails = 1;
        return 0.0;
    }
    return kind == MEAN ? total / (double)n : total;
}

static Kind kind_of_many(PyObject *op) {
    for (int k = SUM; k <= AFFINE_SIGMOID; k++)
        if (KIND_OP[k] == op)
            return (Kind)k;
    return PY_MANY;
}

/* The node op(inputs) of an op of many inputs, `inputs` a tuple of Values (borrowed). */
/* A neuron's inputs in ops.Affine's order, (w₁ … wₙ, x₁ … xₙ[, b]), into `at`. */
static void neuron_inputs(Node *n, PyObject **at) {
    Py_ssize_t inputs = PyTuple_GET_SIZE(n->u.b), row = PyTuple_GET_SIZE(n->a);
    for (Py_ssize_t i = 0; i < inputs; i++) {
        at[i] = PyTuple_GET_ITEM(n->a, i);
        at[inputs + i] = PyTuple_GET_ITEM(n->u.b, i);
    }
    if (row > inputs)
        at[2 * inputs] = PyTuple_GET_ITEM(n->a, inputs);
}

static Py_ssize_t input_count(Node *n) {
    if (IS_AFFINE(n->kind))
        return PyTuple_GET_SIZE(n->a) + PyTuple_GET_SIZE(n->u.b);
    if (IS_MANY(n->kind))
        return PyTuple_GET_SIZE(n->a);
    return IS_BINARY(n->kind) ? 2 : 1;
}

/* The tuple of a node's inputs, `parents` (new reference). */
static PyObject *parents_of(Node *n) {
    if (n->kind == LEAF)
        return PyTuple_New(0);
    if (IS_AFFINE(n->kind)) {
        PyObject *all = PyTuple_New(input_count(n));
        if (all == NULL)
            return NULL;
        neuron_inputs(n, &PyTuple_GET_ITEM(all, 0));
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(all); i++)
            Py_INCREF(PyTuple_GET_ITEM(all, i));
        return all;
    }
    if (IS_MANY(n->kind)) {
        Py_INCREF(n->a);
        return n->a;
    }
    if (IS_BINARY(n->kind))
        return PyTuple_Pack(2, n->a, n->u.b);
    return PyTuple_Pack(1, n->a);
}

/* The neuron `kind` over its row (w₁ … wₙ[, b]) and inputs (x₁ … xₙ), both tuples of
   Values (borrowed): act(b + w₁x₁ + … + wₙxₙ), summed in that order, as Python's
   sum(map(mul, w, x), b) does (ops.Affine.forward); *fails if it is not finite. */
static double neuron_forward(Kind kind, PyObject *row, PyObject *xs, int *fails) {
    Py_ssize_t n = PyTuple_GET_SIZE(xs);
    double total = PyTuple_GET_SIZE(row) > n ? NODE(PyTuple_GET_ITEM(row, n))->data : 0.0;
    for (Py_ssize_t i = 0; i < n; i++)
        total += NODE(PyTuple_GET_ITEM(row, i))->data * NODE(PyTuple_GET_ITEM(xs, i))->data;
    if (!isfinite(total)) {
        *fails = 1;
        return 0.0;
    }
    switch (kind) {
    case AFFINE_RELU: return forward(RELU, total, 0.0, fails);
    case AFFINE_TANH: return forward(TANH, total, 0.0, fails);
    case AFFINE_SIGMOID: return forward(SIGMOID, total, 0.0, fails);
    default: return total;
    }
}

/* A neuron's node (see above); `row` and `xs` borrowed. */
static PyObject *neuron(Kind kind, double data, PyObject *row, PyObject *xs) {
    return make(kind, data, row, xs, 0.0);
}

static PyObject *many(PyObject *op, PyObject *inputs) {
    Py_ssize_t count = PyTuple_GET_SIZE(inputs);
    if (count == 0)
        return PyErr_Format(PyExc_ValueError, "%R: needs at least one input, got none", op);
    Kind kind = plain_sum ? kind_of_many(op) : PY_MANY;
    if ((kind == DOT && count % 2 == 0) || (IS_AFFINE(kind) && count < 2))
        kind = PY_MANY;  /* not w, x (and b): the reference's derivatives say what is wrong */
    if (IS_AFFINE(kind)) {  /* held as its row (w₁ … wₙ[, b]) and its inputs (see neuron) */
        Py_ssize_t n = count / 2;
        PyObject *row = PyTuple_New(count - n), *xs = PyTuple_GetSlice(inputs, n, 2 * n);
        PyObject *out = NULL;
        if (row != NULL && xs != NULL) {
            for (Py_ssize_t i = 0; i < count - n; i++)
                PyTuple_SET_ITEM(row, i, Py_NewRef(PyTuple_GET_ITEM(inputs, i < n ? i : 2 * n)));
            int fails = 0;
            double data = neuron_forward(kind, row, xs, &fails);
            if (!fails || ask_python(kind, op, inputs, MANY_INPUTS_, 0.0, &data) == 0)
                out = neuron(kind, data, row, xs);
        }
        Py_XDECREF(row);
        Py_XDECREF(xs);
        return out;
    }
    int fails = kind == PY_MANY;
    double data = 0.0;
    if (!fails)
        data = many_forward(kind, inputs, &fails);
    if (fails && ask_python(kind, op, inputs, MANY_INPUTS_, 0.0, &data) < 0)
        return NULL;
    return make(kind, data, inputs, kind == PY_MANY ? op : NULL, 0.0);
}

/* -- reading a node from Python ----------------------------------------------------- */

static PyObject *get_op(PyObject *self, void *unused);

static PyObject *get_data(PyObject *self, void *unused) {
    (void)unused;
    return PyFloat_FromDouble(NODE(self)->data);
}

static int set_data(PyObject *self, PyObject *value, void *unused) {
    (void)unused;
    Node *n = NODE(self);
    static PyObject *where;
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "Value.data cannot be deleted");
        return -1;
    }
    if (n->kind != LEAF) {
        PyObject *name = get_op(self, NULL);
        if (name != NULL) {
            PyErr_Format(PyExc_AttributeError,
                         "Value.data: cannot assign to the output of '%S' (a non-leaf): its "
                         "gradient would no longer match its inputs; use .detach() to get a "
                         "leaf", name);
            Py_DECREF(name);
        }
        return -1;
    }
    if (where == NULL && (where = PyUnicode_InternFromString("Value.data")) == NULL)
        return -1;
    double data;
    if (finite_number(value, where, &data) < 0)
        return -1;
    /* DATA_CLOCK.now += 1; the leaf is stamped with it (see autograd.value) */
    PyObject *now = PyLong_FromUnsignedLongLong(clock_now() + 1);
    if (now == NULL || PyObject_SetAttrString(DATA_CLOCK, "now", now) < 0) {
        Py_XDECREF(now);
        return -1;
    }
    Py_DECREF(now);
    n->data = data;
    n->stamp = clock_now();
    return 0;
}

static PyObject *get_grad(PyObject *self, void *unused) {
    (void)unused;
    return PyFloat_FromDouble(NODE(self)->grad);
}

static int set_grad(PyObject *self, PyObject *value, void *unused) {
    (void)unused;
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "Value.grad cannot be deleted");
        return -1;
    }
    static PyObject *where;
    double grad;
    if (PyFloat_Check(value))
        grad = PyFloat_AS_DOUBLE(value);  /* any float, as a backward pass may leave it */
    else {  /* a number as a float, or a TypeError naming Value.grad */
        if (where == NULL && (where = PyUnicode_InternFromString("Value.grad")) == NULL)
            return -1;
        if (finite_number(value, where, &grad) < 0)
            return -1;
    }
    NODE(self)->grad = grad;
    return 0;
}

static PyObject *get_label(PyObject *self, void *unused) {
    (void)unused;
    PyObject *label = NODE(self)->label ? NODE(self)->label : Py_None;
    Py_INCREF(label);
    return label;
}

/* A label is a str (or None): a node is outside the cyclic collector, so it must not hold
   an object that could hold the node back. */
static int set_label(PyObject *self, PyObject *value, void *unused) {
    (void)unused;
    PyObject *label = (value == NULL || value == Py_None) ? NULL : value;
    if (label != NULL && !PyUnicode_Check(label)) {
        PyErr_Format(PyExc_TypeError, "Value.label: expected a str or None, got %.100s",
                     Py_TYPE(label)->tp_name);
        return -1;
    }
    Py_XINCREF(label);
    Py_XSETREF(NODE(self)->label, label);
    return 0;
}

static PyObject *get_op_object(PyObject *self, void *unused) {
    (void)unused;
    Node *n = NODE(self);
    if (n->kind == LEAF)
        Py_RETURN_NONE;
    if (n->kind == PY_UNARY || n->kind == PY_MANY) {
        Py_INCREF(n->u.op);
        return n->u.op;
    }
    return op_of_kind(n->kind, n->u.c);
}

static PyObject *get_op(PyObject *self, void *unused) {
    (void)unused;
    Node *n = NODE(self);
    if (n->kind == LEAF)
        Py_RETURN_NONE;
    if (n->kind == PY_UNARY || n->kind == PY_MANY)
        return PyObject_GetAttrString(n->u.op, "name");
    Py_INCREF(KIND_NAME[n->kind]);
    return KIND_NAME[n->kind];
}

static PyObject *get_a(PyObject *self, void *unused) {
    (void)unused;
    if (IS_AFFINE(NODE(self)->kind))
        return parents_of(NODE(self));  /* the tuple of inputs, as an op of many has */
    PyObject *a = NODE(self)->a ? NODE(self)->a : Py_None;
    Py_INCREF(a);
    return a;
}

static PyObject *get_b(PyObject *self, void *unused) {
    (void)unused;
    Node *n = NODE(self);
    PyObject *b = Py_None;
    if (IS_BINARY(n->kind))
        b = n->u.b;
    else if (IS_MANY(n->kind))
        b = MANY_INPUTS_;
    else if (n->flags & UNRECORDED)
        b = UNRECORDED_;
    Py_INCREF(b);
    return b;
}

static PyObject *get_stamp(PyObject *self, void *unused) {
    (void)unused;
    return PyLong_FromUnsignedLongLong(NODE(self)->stamp);
}

static PyObject *get_parents(PyObject *self, void *unused) {
    (void)unused;
    return parents_of(NODE(self));
}

static PyObject *get_is_leaf(PyObject *self, void *unused) {
    (void)unused;
    return PyBool_FromLong(NODE(self)->kind == LEAF);
}

static PyGetSetDef value_getset[] = {
    {"data", get_data, set_data,
     "The value as a Python float. Assignable on leaves only (optimizers do this).", NULL},
    {"grad", get_grad, set_grad, "∂root/∂self after backward() (a float).", NULL},
    {"label", get_label, set_label, "A name for drawings and messages, or None.", NULL},
    {"op", get_op, NULL, "Name of the op that produced this Value; None for a leaf.", NULL},
    {"parents", get_parents, NULL, "The op's inputs, in order and with repeats.", NULL},
    {"is_leaf", get_is_leaf, NULL, "True for Values made by the user, not by an op.", NULL},
    {"_data", get_data, NULL, NULL, NULL},
    {"_a", get_a, NULL, NULL, NULL},
    {"_b", get_b, NULL, NULL, NULL},
    {"_op", get_op_object, NULL, NULL, NULL},
    {"_stamp", get_stamp, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyObject *value_item(PyObject *self, PyObject *unused) {
    (void)unused;
    return PyFloat_FromDouble(NODE(self)->data);
}

static PyObject *value_detach(PyObject *self, PyObject *unused) {
    (void)unused;
    return new_leaf(NODE(self)->data, NODE(self)->label);
}

/* copy, deepcopy and pickle: a node is rebuilt by `restore` from what it holds (its
   inputs are copied first, as copying a Python Value copies its slots). */
static PyObject *restore_function;

static PyObject *value_reduce(PyObject *self, PyObject *unused) {
    (void)unused;
    Node *n = NODE(self);
    if (Py_TYPE(self) != ValueType)
        return PyErr_Format(PyExc_TypeError, "cannot copy an instance of %s, a subclass of "
                            "Value", Py_TYPE(self)->tp_name);
    PyObject *b = IS_CONSTANT(n->kind) ? PyFloat_FromDouble(n->u.c)
                                       : (Py_XINCREF(n->u.b), n->u.b ? n->u.b : Py_NewRef(Py_None));
    if (b == NULL)
        return NULL;
    PyObject *r = Py_BuildValue("O(iddOONKi)", restore_function, (int)n->kind, n->data, n->grad,
                                n->label ? n->label : Py_None, n->a ? n->a : Py_None, b,
                                (unsigned long long)n->stamp, (int)(n->flags & UNRECORDED));
    return r;
}

static PyMethodDef value_methods[] = {
    {"__reduce__", value_reduce, METH_NOARGS, "How copy and pickle rebuild the node."},
    {"exp", value_exp, METH_NOARGS, "eˣ; OverflowError above x ≈ 709.78."},
    {"log", value_log, METH_NOARGS, "ln x; ValueError for x <= 0."},
    {"log1p", value_log1p, METH_NOARGS, "ln(1 + x); ValueError for x <= -1."},
    {"tanh", value_tanh, METH_NOARGS, "tanh x."},
    {"sigmoid", value_sigmoid, METH_NOARGS, "1 / (1 + e⁻ˣ), computed without overflow."},
    {"relu", value_relu, METH_NOARGS, "max(0, x)."},
    {"sqrt", value_sqrt, METH_NOARGS, "√x; ValueError for x < 0."},
    {"abs", value_abs, METH_NOARGS, "|x|."},
    {"sin", value_sin, METH_NOARGS, "sin x."},
    {"cos", value_cos, METH_NOARGS, "cos x."},
    {"clamp", (PyCFunction)(void (*)(void))value_clamp, METH_VARARGS | METH_KEYWORDS,
     "min(max(x, min), max), either bound optional (torch.clamp)."},
    {"item", value_item, METH_NOARGS, "The value as a Python float (torch.Tensor.item())."},
    {"detach", value_detach, METH_NOARGS, "A new leaf with the same value and label."},
    {NULL, NULL, 0, NULL},
};

static PyObject *value_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"data", "label", NULL};
    static PyObject *where;
    PyObject *data, *label = Py_None;
    double x;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:Value", names, &data, &label))
        return NULL;
    if (where == NULL && (where = PyUnicode_InternFromString("Value")) == NULL)
        return NULL;
    if (finite_number(data, where, &x) < 0)
        return NULL;
    ask_tracing();  /* (a leaf is where a computation starts: tracemalloc may have just) */
    if (label != Py_None && !PyUnicode_Check(label))
        return PyErr_Format(PyExc_TypeError, "Value: label must be a str or None, got %.100s",
                            Py_TYPE(label)->tp_name);
    if (type == ValueType)
        return new_leaf(x, label);
    Node *n = (Node *)type->tp_alloc(type, 0);  /* a Python subclass's instance, zeroed */
    if (n != NULL) {
        n->data = x;
        n->stamp = clock_now();
        set_label((PyObject *)n, label, NULL);
    }
    return (PyObject *)n;
}

/* Value.__init__(data, label=None): what tp_new did already, done again, so that a
   subclass's __init__ can call super().__init__(data, label) (and x.__init__(5.0) sets a
   leaf's value and label, as the reference's does). */
static int value_init(PyObject *self, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"data", "label", NULL};
    static PyObject *where;
    PyObject *data, *label = Py_None;
    double x;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:Value", names, &data, &label))
        return -1;
    Node *n = NODE(self);
    if (n->kind != LEAF) {
        PyErr_SetString(PyExc_TypeError, "Value.__init__: only a leaf can be initialised again");
        return -1;
    }
    if (where == NULL && (where = PyUnicode_InternFromString("Value")) == NULL)
        return -1;
    if (finite_number(data, where, &x) < 0 || set_label(self, label, NULL) < 0)
        return -1;
    n->data = x;
    n->grad = 0.0;
    return 0;
}

/* -- the backward pass -------------------------------------------------------------- */

/* A growable array of nodes (borrowed: the root keeps the whole graph alive). */
typedef struct {
    Node **at;
    Py_ssize_t count, room;
} Nodes;

static int grow(Nodes *list) {
    Py_ssize_t room = list->room ? 2 * list->room : 64;
    Node **grown = PyMem_Realloc(list->at, room * sizeof(Node *));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    list->at = grown;
    list->room = room;
    return 0;
}

static inline int push(Nodes *list, Node *n) {
    if (list->count == list->room && grow(list) < 0)
        return -1;
    list->at[list->count++] = n;
    return 0;
}


/* The inputs of an interior node, as an array (the tuple's, or a and b). */
/* Room for the inputs of a neuron, whose two tuples inputs_of lays out in one array. */
typedef struct {
    PyObject **at;
    Py_ssize_t room;
} Scratch;

/* The inputs of an interior node, as an array (the tuple's, or a and b, or a neuron's
   laid out in `scratch`); -1 with MemoryError set. */
static Py_ssize_t inputs_of(Node *n, PyObject ***out, PyObject **pair, Scratch *scratch) {
    if (IS_AFFINE(n->kind)) {
        Py_ssize_t count = input_count(n);
        if (count > scratch->room) {
            PyObject **grown = PyMem_Realloc(scratch->at, count * sizeof(PyObject *));
            if (grown == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            scratch->at = grown;
            scratch->room = count;
        }
        neuron_inputs(n, scratch->at);
        *out = scratch->at;
        return count;
    }
    if (IS_MANY(n->kind)) {
        *out = &PyTuple_GET_ITEM(n->a, 0);
        return PyTuple_GET_SIZE(n->a);
    }
    pair[0] = n->a;
    *out = pair;
    if (IS_BINARY(n->kind)) {
        pair[1] = n->u.b;
        return 2;
    }
    return 1;
}

/* Why the walk stopped. */
enum { WALKED, HOOKED, STALE, FAILED };

/* backprop.topological_order(root), the same order (tests pin it): a depth-first walk
   with a stack of (node, inputs pushed) pairs, the last input expanded first. Lists the
   leaves too, each once, and checks that no input is newer than a node that uses it.

   Two shortcuts leave the order as it is: an input that is a leaf, or expanded already,
   is not pushed (the reference pops it and skips it), and the last input to expand is
   expanded at once instead of being pushed and popped straight away. Every input is a
   Value of this type: the builders accept nothing else. */
static int walk(Node *root, Nodes *order, Nodes *leaves, int *has_python, Scratch *scratch) {
    Nodes stack = {NULL, 0, 0};  /* an entry's lowest bit set means "inputs pushed" */
    int why = WALKED;
    Node *n = root;  /* the node to expand next, or NULL to pop one */
    for (;;) {
        if (n == NULL) {
            if (!stack.count)
                break;
            uintptr_t top = (uintptr_t)stack.at[--stack.count];
            n = (Node *)(top & ~(uintptr_t)1);
            if (top & 1) {  /* every input of n is in order already */
                if (push(order, n) < 0) { why = FAILED; break; }
                n = NULL;
                continue;
            }
        }
        if (n->flags & EXPANDED) {
            n = NULL;
            continue;
        }
        if (n->kind == LEAF) {  /* the root is a leaf */
            if (push(leaves, n) < 0)
                why = FAILED;
            else
                n->flags |= EXPANDED;
            break;
        }
        /* (marked once listed: a mark on a node in no list would outlive the walk) */
        if (push(&stack, (Node *)((uintptr_t)n | 1)) < 0) { why = FAILED; break; }
        n->flags |= EXPANDED;
        n->grad = 0.0;  /* interior gradients are recomputed from zero on every pass */
        if (n->kind == PY_UNARY || n->kind == PY_MANY)
            *has_python = 1;
        PyObject **inputs, *pair[2];
        Py_ssize_t count = inputs_of(n, &inputs, pair, scratch);
        if (count < 0) { why = FAILED; break; }
        Node *next = NULL;
        for (Py_ssize_t i = 0; i < count; i++) {
            Node *p = NODE(inputs[i]);
            if (p->stamp > n->stamp) { why = STALE; break; }
            if (p->flags & EXPANDED)
                continue;
            if (p->kind == LEAF) {
                if (push(leaves, p) < 0) { why = FAILED; break; }
                p->flags |= EXPANDED;
            } else {
                if (next != NULL && push(&stack, next) < 0) { why = FAILED; break; }
                next = p;
            }
        }
        if (why != WALKED)
            break;
        n = next;
    }
    /* Stopped early: the nodes still on the stack may be marked (the rest are listed). */
    for (Py_ssize_t i = 0; i < stack.count; i++)
        ((Node *)((uintptr_t)stack.at[i] & ~(uintptr_t)1))->flags &= ~EXPANDED;
    PyMem_Free(stack.at);
    return why;
}

static void unmark(Nodes *list) {
    for (Py_ssize_t i = 0; i < list->count; i++)
        list->at[i]->flags &= ~EXPANDED;
}

/* Whether a Value with a hook is among the marked nodes. */
static int hooked_in_graph(void) {
    PyObject *key, *hooks;
    Py_ssize_t pos = 0;
    while (PyDict_Next(HOOKS, &pos, &key, &hooks))
        if (IS_VALUE(key) && (NODE(key)->flags & EXPANDED))
            return 1;
    return 0;
}

/* The local derivative of a PY_UNARY node, or those of a PY_MANY node, asked in Python:
   0 done, 1 the op raised ArithmeticError/ValueError (the reference will say where),
   -1 another error. */
static int python_locals(Node *n, double *local, Py_ssize_t count) {
    PyObject *r;
    if (n->kind == PY_UNARY)
        r = PyObject_CallMethod(n->u.op, "derivative", "O", (PyObject *)n);
    else
        r = PyObject_CallMethod(n->u.op, "local_derivatives", "O", (PyObject *)n);
    if (r == NULL)
        goto failed;
    if (n->kind == PY_UNARY) {
        local[0] = PyFloat_AsDouble(r);
    } else {
        PyObject *seq = PySequence_Fast(r, "local_derivatives must return a sequence");
        if (seq != NULL && PySequence_Fast_GET_SIZE(seq) != count)
            PyErr_Format(PyExc_ValueError, "%R: %zd local derivatives for %zd inputs",
                         n->u.op, PySequence_Fast_GET_SIZE(seq), count);
        for (Py_ssize_t i = 0; seq != NULL && !PyErr_Occurred() && i < count; i++)
            local[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));
        Py_XDECREF(seq);
    }
    Py_DECREF(r);
    if (!PyErr_Occurred())
        return 0;
failed:
    if (PyErr_ExceptionMatches(PyExc_ArithmeticError) || PyErr_ExceptionMatches(PyExc_ValueError)) {
        PyErr_Clear();
        return 1;
    }
    return -1;
}

/* ops._power_base_derivative: ∂(a ** b)/∂a = b · a^(b-1), 0 everywhere when b = 0. */
static double power_base_derivative(double a, double b, int *fails) {
    if (b == 0.0)
        return 0.0;
    if (a == 0.0 && b < 1.0) {
        *fails = 1;
        return 0.0;
    }
    return b * python_pow(a, b - 1.0, fails);
}

/* The local derivatives ∂out/∂xᵢ at a node of a fixed kind, as ops.py states them. */
static void local_derivatives(Node *n, PyObject **x, Py_ssize_t count, double *local,
                              int *fails) {
    double a = count ? NODE(x[0])->data : 0.0, y = n->data, c = n->u.c, slope;
    Py_ssize_t half = count / 2;
    switch (n->kind) {
    case ADD: local[0] = 1.0; local[1] = 1.0; break;
    case SUB: local[0] = 1.0; local[1] = -1.0; break;
    case MUL: local[0] = NODE(x[1])->data; local[1] = a; break;
    case DIV: {
        double b = NODE(x[1])->data;
        local[0] = 1.0 / b;
        local[1] = -y / b;
        break;
    }
    case POW: {
        double b = NODE(x[1])->data;
        if (a > 0.0)
            local[1] = y * log(a);
        else if (a == 0.0)
            local[1] = 0.0;
        else
            *fails = 1;
        local[0] = power_base_derivative(a, b, fails);
        break;
    }
    case ADD_C: case SUB_C: local[0] = 1.0; break;
    case C_SUB: local[0] = -1.0; break;
    case MUL_C: local[0] = c; break;
    case DIV_C: local[0] = 1.0 / c; break;
    case C_DIV: local[0] = -y / a; break;
    case POW_C: local[0] = power_base_derivative(a, c, fails); break;
    case NEG: local[0] = -1.0; break;
    case EXP: local[0] = y; break;
    case LOG: local[0] = 1.0 / a; break;
    case LOG1P: local[0] = 1.0 / (1.0 + a); break;
    case TANH: local[0] = 1.0 - y * y; break;
    case SIGMOID: local[0] = y * (1.0 - y); break;
    case RELU: local[0] = y > 0.0 ? 1.0 : 0.0; break;
    case SQRT:
        if (y == 0.0)
            *fails = 1;
        local[0] = 0.5 / y;
        break;
    case ABS: local[0] = a > 0.0 ? 1.0 : a < 0.0 ? -1.0 : 0.0; break;
    case SIN: local[0] = cos(a); break;
    case COS: local[0] = -sin(a); break;
    case SUM:
        for (Py_ssize_t i = 0; i < count; i++)
            local[i] = 1.0;
        break;
    case MEAN:
        for (Py_ssize_t i = 0; i < count; i++)
            local[i] = 1.0 / (double)count;
        break;
    case DOT:
        for (Py_ssize_t i = 0; i < half; i++) {
            local[i] = NODE(x[half + i])->data;
            local[half + i] = NODE(x[i])->data;
        }
        local[count - 1] = 1.0;
        break;
    default:  /* AFFINE*: act'(z) from the output y (ops.Relu.slope, ...), then by input */
        slope = n->kind == AFFINE_RELU      ? (y > 0.0 ? 1.0 : 0.0)
                : n->kind == AFFINE_TANH    ? 1.0 - y * y
                : n->kind == AFFINE_SIGMOID ? y * (1.0 - y)
                                            : 1.0;
        for (Py_ssize_t i = 0; i < half; i++) {
            local[i] = slope * NODE(x[half + i])->data;
            local[half + i] = slope * NODE(x[i])->data;
        }
        if (count % 2)
            local[count - 1] = slope;
        break;
    }
}

/* backprop.backward(root, gradient) in C: True with the gradients the reference leaves,
   or False with every leaf's gradient as it was, to leave the pass to the reference. */
static PyObject *native_backward(PyObject *module, PyObject *args) {
    PyObject *root_object;
    double gradient;
    (void)module;
    if (!PyArg_ParseTuple(args, "O!d:backward", ValueType, &root_object, &gradient))
        return NULL;
    Node *root = NODE(root_object);
    Nodes order = {NULL, 0, 0}, leaves = {NULL, 0, 0};
    double *before = NULL, *local = NULL;
    Py_ssize_t local_room = 0;
    PyObject *result = NULL;
    int has_python = 0;
    Scratch scratch = {NULL, 0};
    int why = walk(root, &order, &leaves, &has_python, &scratch);
    if (why == WALKED && PyDict_GET_SIZE(HOOKS) && hooked_in_graph())
        why = HOOKED;
    unmark(&leaves);
    /* The marks must be gone before Python code runs (an op of Python's may start a pass
       of its own); without such ops, the loop below removes each as it passes. */
    if (why != WALKED || has_python)
        unmark(&order);
    if (why == FAILED)
        goto done;
    if (why != WALKED) {
        result = Py_False;
        goto done;
    }
    before = PyMem_Malloc((leaves.count + 1) * sizeof(double));
    if (before == NULL) {
        PyErr_NoMemory();
        unmark(&order);
        goto done;
    }
    /* A pass sums each leaf's gradient from zero and adds what it held at the end. */
    for (Py_ssize_t i = 0; i < leaves.count; i++) {
        before[i] = leaves.at[i]->grad;
        if (before[i] != 0.0)
            leaves.at[i]->grad = 0.0;
    }
    if (root->kind == LEAF) {
        root->grad = gradient;
    } else {
        root->grad = gradient;
        for (Py_ssize_t k = order.count - 1; k >= 0; k--) {  /* root first */
            Node *n = order.at[k];
            if (k >= 8)  /* the node 8 steps on: its address is known, its memory not yet */
                __builtin_prefetch(order.at[k - 8], 1);
            double upstream = n->grad;
            n->flags &= ~EXPANDED;
            PyObject **x, *pair[2];
            Py_ssize_t count = inputs_of(n, &x, pair, &scratch);
            if (count < 0) {
                unmark(&order);
                goto restore;
            }
            if (count > local_room) {
                PyMem_Free(local);
                local_room = count > 64 ? count : 64;
                local = PyMem_Malloc(local_room * sizeof(double));
                if (local == NULL) {
                    PyErr_NoMemory();
                    unmark(&order);
                    goto restore;
                }
            }
            int fails = 0;
            if (n->kind == PY_UNARY || n->kind == PY_MANY) {
                int asked = python_locals(n, local, count);
                if (asked < 0)
                    goto restore;  /* (no marks: a graph with Python ops was unmarked) */
                fails = asked;
            } else
                local_derivatives(n, x, count, local, &fails);
            if (fails)
                goto decline_unmarking;
            for (Py_ssize_t i = 0; i < count; i++) {
                if (!isfinite(local[i]))
                    goto decline_unmarking;  /* the reference computes the exact contribution */
                NODE(x[i])->grad += upstream * local[i];  /* the chain rule */
            }
        }
    }
    for (Py_ssize_t i = 0; i < leaves.count; i++)
        if (!isfinite(leaves.at[i]->grad))
            goto decline;
    for (Py_ssize_t i = 0; i < leaves.count; i++)
        if (before[i] != 0.0)
            leaves.at[i]->grad += before[i];
    result = Py_True;
    goto done;
decline_unmarking:
    unmark(&order);
decline:
    result = Py_False;
restore:
    for (Py_ssize_t i = 0; i < leaves.count; i++)
        leaves.at[i]->grad = before[i];
done:
    PyMem_Free(scratch.at);
    PyMem_Free(order.at);
    PyMem_Free(leaves.at);
    PyMem_Free(before);
    PyMem_Free(local);
    Py_XINCREF(result);
    return result;
}

/* -- functions for autograd.fast.native --------------------------------------------- */

static PyObject *native_many(PyObject *module, PyObject *args) {
    PyObject *op, *inputs;
    (void)module;
    if (!PyArg_ParseTuple(args, "OO!:many", &op, &PyTuple_Type, &inputs))
        return NULL;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(inputs); i++)
        if (!IS_VALUE(PyTuple_GET_ITEM(inputs, i)))
            return PyErr_Format(PyExc_TypeError, "%R: input %zd is not a Value", op, i);
    return many(op, inputs);
}

/* A node of a Python op computed elsewhere (autograd.Function): value.py's _node. */
static PyObject *native_node(PyObject *module, PyObject *args) {
    PyObject *op, *a, *b;
    double data;
    (void)module;
    if (!PyArg_ParseTuple(args, "dOOO:node", &data, &op, &a, &b))
        return NULL;
    if (b == MANY_INPUTS_ && PyTuple_CheckExact(a)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(a); i++)
            if (!IS_VALUE(PyTuple_GET_ITEM(a, i)))
                return PyErr_Format(PyExc_TypeError, "node: input %zd is not a Value", i);
        return make(PY_MANY, data, a, op, 0.0);
    }
    if (b == Py_None && IS_VALUE(a))
        return make(PY_UNARY, data, a, op, 0.0);
    PyErr_SetString(PyExc_TypeError, "node: expected one Value, or a tuple and MANY_INPUTS");
    return NULL;
}

/* restore(kind, data, grad, label, a, b, stamp, unrecorded): the node __reduce__ gave. */
static PyObject *native_restore(PyObject *module, PyObject *args) {
    int kind, unrecorded;
    double data, grad;
    PyObject *label, *a, *b;
    unsigned long long stamp;
    (void)module;
    if (!PyArg_ParseTuple(args, "iddOOOKi:restore", &kind, &data, &grad, &label, &a, &b,
                          &stamp, &unrecorded))
        return NULL;
    int ok = kind >= LEAF && kind < KINDS;
    if (ok && label != Py_None)
        ok = PyUnicode_Check(label);
    if (ok && kind == LEAF)
        ok = a == Py_None && b == Py_None;
    else if (ok && IS_AFFINE(kind))
        ok = PyTuple_CheckExact(a) && PyTuple_CheckExact(b) && PyTuple_GET_SIZE(b) > 0
             && (PyTuple_GET_SIZE(a) == PyTuple_GET_SIZE(b)
                 || PyTuple_GET_SIZE(a) == PyTuple_GET_SIZE(b) + 1);
    else if (ok && IS_MANY(kind))
        ok = PyTuple_CheckExact(a) && PyTuple_GET_SIZE(a) > 0
             && (kind != DOT || PyTuple_GET_SIZE(a) % 2 == 1)
             && (kind == PY_MANY) == (b != Py_None);
    else if (ok && IS_BINARY(kind))
        ok = IS_VALUE(a) && IS_VALUE(b);
    else if (ok && IS_CONSTANT(kind))
        ok = IS_VALUE(a) && PyFloat_CheckExact(b);
    else if (ok)
        ok = IS_VALUE(a) && (kind == PY_UNARY) == (b != Py_None);
    for (int t = 0; ok && (PyTuple_Check(a) || PyTuple_Check(b)) && t < 2; t++) {
        PyObject *items = t ? b : a;
        if (PyTuple_Check(items) && kind != PY_UNARY && !(kind == PY_MANY && t))
            for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(items); i++)
                ok = IS_VALUE(PyTuple_GET_ITEM(items, i));
    }
    if (!ok)
        return PyErr_Format(PyExc_ValueError, "restore: not the parts of a Value's node");
    Node *n = alloc_node(data);
    if (n == NULL)
        return NULL;
    n->kind = kind;
    n->grad = grad;
    n->stamp = stamp & (((uint64_t)1 << 48) - 1);
    n->flags = unrecorded ? UNRECORDED : 0;
    if (label != Py_None)
        n->label = Py_NewRef(label);
    if (kind != LEAF)
        n->a = Py_NewRef(a);
    if (IS_CONSTANT(kind))
        n->u.c = PyFloat_AS_DOUBLE(b);
    else if (b != Py_None)
        n->u.b = Py_NewRef(b);
    return (PyObject *)n;
}

static PyObject *native_unrecorded(PyObject *module, PyObject *arg) {
    (void)module;
    double data = PyFloat_AsDouble(arg);
    if (data == -1.0 && PyErr_Occurred())
        return NULL;
    PyObject *out = new_leaf(data, NULL);
    if (out != NULL)
        NODE(out)->flags = UNRECORDED;
    return out;
}

/* A layer of neurons, act(wⱼ·x + bⱼ) for each row j: one AFFINE* node each (see neuron),
   over `rows`, each a tuple (wⱼ₁ … wⱼₙ[, bⱼ]) of leaf Values the layer made once, and the
   inputs `xs`, a tuple of n Values. Returns the list of nodes, or the index of the first
   neuron whose sum overflowed (the caller raises). */
static PyObject *native_layer(PyObject *module, PyObject *args) {
    PyObject *op, *rows, *xs;
    (void)module;
    if (!PyArg_ParseTuple(args, "OO!O!:layer", &op, &PyTuple_Type, &rows, &PyTuple_Type, &xs))
        return NULL;
    Kind kind = kind_of_many(op);
    if (!IS_AFFINE(kind) || !plain_sum) {
        Py_RETURN_NONE;  /* the caller builds each neuron with many() */
    }
    Py_ssize_t m = PyTuple_GET_SIZE(rows), n = PyTuple_GET_SIZE(xs);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!IS_VALUE(PyTuple_GET_ITEM(xs, i)))
            return PyErr_Format(PyExc_TypeError, "layer: input %zd is not a Value", i);
    for (Py_ssize_t j = 0; j < m; j++) {
        PyObject *row = PyTuple_GET_ITEM(rows, j);
        if (!PyTuple_CheckExact(row) || PyTuple_GET_SIZE(row) < n || PyTuple_GET_SIZE(row) > n + 1)
            return PyErr_Format(PyExc_TypeError, "layer: row %zd is not %zd weights and a bias", j, n);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(row); i++)
            if (!IS_VALUE(PyTuple_GET_ITEM(row, i)))
                return PyErr_Format(PyExc_TypeError, "layer: row %zd holds a non-Value", j);
    }
    PyObject *out = PyList_New(m);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t j = 0; j < m; j++) {
        int fails = 0;
        double data = neuron_forward(kind, PyTuple_GET_ITEM(rows, j), xs, &fails);
        if (fails) {
            Py_DECREF(out);
            return PyLong_FromSsize_t(j);
        }
        PyObject *node = neuron(kind, data, PyTuple_GET_ITEM(rows, j), xs);
        if (node == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, j, node);
    }
    return out;
}

static Py_ssize_t slot_offset(PyObject *obj, const char *name) {
    PyObject *descr = PyObject_GetAttrString((PyObject *)Py_TYPE(obj), name);
    Py_ssize_t at = -1;
    if (descr == NULL)
        return -1;
    if (Py_IS_TYPE(descr, &PyMemberDescr_Type))
        at = ((PyMemberDescrObject *)descr)->d_member->offset;
    else
        PyErr_Format(PyExc_TypeError, "setup: %s is not a __slots__ attribute", name);
    Py_DECREF(descr);
    return at;
}

static PyObject *take(PyObject *from, const char *key) {
    PyObject *item = PyDict_GetItemString(from, key);
    if (item == NULL)
        PyErr_Format(PyExc_KeyError, "setup: %s", key);
    Py_XINCREF(item);
    return item;
}

/* setup(config): the objects of the Python engine this module works with. */
/* release_memory(): the empty slabs kept for new nodes go back to the system; returns
   how many nodes they could have held. */
static PyObject *native_release_memory(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    Py_ssize_t released = 0;
    for (Slab *s = open_slabs, *following; s != NULL; s = following) {
        following = s->next;
        if (s->live == 0) {
            unlink_slab(s);
            free(s);
            slab_count--;
            empty_slabs--;
            released += SLAB_NODES;
        }
    }
    return PyLong_FromSsize_t(released);
}

/* kept(): how many nodes the memory held but not in use could hold (the slabs' room). */
static PyObject *native_kept(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    return PyLong_FromSsize_t(slab_count * (Py_ssize_t)SLAB_NODES - live_nodes);
}

static PyObject *native_setup(PyObject *module, PyObject *config) {
    static const char *kinds[KINDS] = {
        [ADD] = "ADD", [SUB] = "SUB", [MUL] = "MUL", [DIV] = "DIV", [POW] = "POW",
        [NEG] = "NEG", [EXP] = "EXP", [LOG] = "LOG", [LOG1P] = "LOG1P", [TANH] = "TANH",
        [SIGMOID] = "SIGMOID", [RELU] = "RELU", [SQRT] = "SQRT", [ABS] = "ABS", [SIN] = "SIN",
        [COS] = "COS", [SUM] = "SUM", [MEAN] = "MEAN", [DOT] = "DOT", [AFFINE] = "AFFINE",
        [AFFINE_RELU] = "AFFINE_RELU", [AFFINE_TANH] = "AFFINE_TANH",
        [AFFINE_SIGMOID] = "AFFINE_SIGMOID",
    };
    static const char *constants[KINDS] = {
        [ADD_C] = "ADD_C", [SUB_C] = "SUB_C", [C_SUB] = "C_SUB", [MUL_C] = "MUL_C",
        [DIV_C] = "DIV_C", [C_DIV] = "C_DIV", [POW_C] = "POW_C",
    };
    static const Kind named_as[KINDS] = {
        [ADD_C] = ADD, [SUB_C] = SUB, [C_SUB] = SUB, [MUL_C] = MUL, [DIV_C] = DIV,
        [C_DIV] = DIV, [POW_C] = POW,
    };
    (void)module;
    if (!PyDict_Check(config))
        return PyErr_Format(PyExc_TypeError, "setup: expected a dict");
    for (int k = 0; k < KINDS; k++) {
        if (kinds[k] && !(KIND_OP[k] = take(config, kinds[k])))
            return NULL;
        if (kinds[k] && !(KIND_NAME[k] = PyObject_GetAttrString(KIND_OP[k], "name")))
            return NULL;
        if (constants[k] && !(CONSTANT_OP[k] = take(config, constants[k])))
            return NULL;
    }
    for (int k = 0; k < KINDS; k++)
        if (constants[k]) {
            Py_INCREF(KIND_NAME[named_as[k]]);
            KIND_NAME[k] = KIND_NAME[named_as[k]];
        }
    if (!(MANY_INPUTS_ = take(config, "MANY_INPUTS")) || !(UNRECORDED_ = take(config, "UNRECORDED"))
        || !(GRAD_MODE = take(config, "GRAD_MODE")) || !(ANOMALY = take(config, "ANOMALY"))
        || !(DATA_CLOCK = take(config, "DATA_CLOCK")) || !(HOOKS = take(config, "HOOKS"))
        || !(as_finite_float = take(config, "as_finite_float"))
        || !(forward_in_python = take(config, "forward_in_python"))
        || !(record_site = take(config, "record")) || !(clamp_op = take(config, "clamp"))
        || !(rpow_op = take(config, "rpow")))
        return NULL;
    PyObject *plain = take(config, "plain_sum");
    if (plain == NULL)
        return NULL;
    plain_sum = PyObject_IsTrue(plain);
    Py_DECREF(plain);
    if ((GRAD_MODE_AT = slot_offset(GRAD_MODE, "enabled")) < 0
        || (ANOMALY_AT = slot_offset(ANOMALY, "enabled")) < 0
        || (CLOCK_AT = slot_offset(DATA_CLOCK, "now")) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"setup", native_setup, METH_O, "Give the module the Python engine's objects."},
    {"backward", native_backward, METH_VARARGS,
     "backward(root, gradient) -> bool: the pass in C, or False to leave it to Python."},
    {"many", native_many, METH_VARARGS, "many(op, inputs): the node op(*inputs)."},
    {"node", native_node, METH_VARARGS, "node(data, op, a, b): a node of a Python op."},
    {"unrecorded", native_unrecorded, METH_O, "A leaf computed under no_grad()."},
    {"restore", native_restore, METH_VARARGS, "The node Value.__reduce__ describes."},
    {"release_memory", native_release_memory, METH_NOARGS,
     "Hand the empty slabs kept for new nodes back; returns how many nodes they held."},
    {"kept", native_kept, METH_NOARGS, "How many freed nodes' memory is kept for new ones."},
    {"layer", native_layer, METH_VARARGS, "layer(op, rows, xs): one node per neuron."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot value_slots[] = {
    {Py_tp_new, value_new},
    {Py_tp_init, value_init},
    {Py_tp_dealloc, value_dealloc},
    {Py_tp_getset, value_getset},
    {Py_tp_methods, value_methods},
    {Py_nb_add, value_add},
    {Py_nb_subtract, value_sub},
    {Py_nb_multiply, value_mul},
    {Py_nb_true_divide, value_div},
    {Py_nb_power, value_pow},
    {Py_nb_negative, value_neg},
    {Py_nb_positive, value_pos},
    {Py_nb_absolute, value_absolute},
    {Py_nb_float, value_float},
    {0, NULL},
};

static PyType_Spec value_spec = {
    .name = "autograd.Value",
    .basicsize = sizeof(Node),
    .itemsize = 0,
    /* no Py_TPFLAGS_HAVE_GC: nodes cannot form cycles, so the collector never sees them */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = value_slots,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_native", "stepgrad's compiled engine (see _native.c).", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void) {
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL)
        return NULL;
    ValueType = (PyTypeObject *)PyType_FromSpec(&value_spec);
    if (ValueType == NULL || PyModule_AddObjectRef(module, "Value", (PyObject *)ValueType) < 0
        || (restore_function = PyObject_GetAttrString(module, "restore")) == NULL
        || PyModule_AddIntConstant(module, "NODE_BYTES", (long)sizeof(Node)) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
