package org.vfiobroker.inventory;

import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An unmodifiable list kept in chunks of {@value #CHUNK} references, so that a copy with a few elements replaced
 * ({@link #with}) copies the chunk table and the chunks those elements are in, not every reference: a targeted
 * refresh replaces a group's functions in a snapshot of thousands, twice per grant and revocation.
 */
final class ChunkedList<E> extends AbstractList<E> implements RandomAccess {

    static final int CHUNK = 64;
    private static final int SHIFT = 6;

    private final Object[][] chunks;
    private final int size;

    private ChunkedList(Object[][] chunks, int size) {
        this.chunks = chunks;
        this.size = size;
    }

    /** The elements of {@code list}, in order; none may be null. */
    static <E> ChunkedList<E> of(List<? extends E> list) {
        int size = list.size();
        Object[][] chunks = new Object[(size + CHUNK - 1) >> SHIFT][];
        for (int c = 0; c < chunks.length; c++) {
            int from = c << SHIFT;
            Object[] chunk = new Object[Math.min(CHUNK, size - from)];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = Objects.requireNonNull(list.get(from + i), "element");
            }
            chunks[c] = chunk;
        }
        return new ChunkedList<>(chunks, size);
    }

    /** This list with the element at each position of {@code replacements} replaced; this list stays as it is. */
    ChunkedList<E> with(Map<Integer, ? extends E> replacements) {
        Object[][] copy = chunks.clone();
        boolean[] copied = new boolean[copy.length];
        replacements.forEach((position, element) -> {
            Objects.checkIndex(position, size);
            int c = position >> SHIFT;
            if (!copied[c]) {
                copy[c] = copy[c].clone();
                copied[c] = true;
            }
            copy[c][position & (CHUNK - 1)] = Objects.requireNonNull(element, "element");
        });
        return new ChunkedList<>(copy, size);
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        Objects.checkIndex(index, size);
        return (E) chunks[index >> SHIFT][index & (CHUNK - 1)];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object[] toArray() {
        Object[] out = new Object[size];
        for (int c = 0; c < chunks.length; c++) {
            System.arraycopy(chunks[c], 0, out, c << SHIFT, chunks[c].length);
        }
        return out;
    }
}
