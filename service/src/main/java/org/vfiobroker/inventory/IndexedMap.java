package org.vfiobroker.inventory;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An unmodifiable map whose values are a list's elements, found through an index of positions. Snapshots that
 * differ only in some elements (a targeted refresh) share the index and copy just the list's references.
 */
final class IndexedMap<K, V> extends AbstractMap<K, V> {

    private final Map<K, Integer> index;
    private final List<V> values;

    /**
     * @param index  unmodifiable, each position of {@code values} once
     * @param values unmodifiable
     */
    IndexedMap(Map<K, Integer> index, List<V> values) {
        this.index = index;
        this.values = values;
    }

    /** The same keys at the same positions, over other values. */
    IndexedMap<K, V> over(List<V> newValues) {
        if (newValues.size() != values.size()) {
            throw new IllegalArgumentException("an indexed map's values keep their positions");
        }
        return new IndexedMap<>(index, newValues);
    }

    /** The position of a key, or -1. */
    int positionOf(K key) {
        Integer i = index.get(key);
        return i == null ? -1 : i;
    }

    @Override
    public V get(Object key) {
        Integer i = index.get(key);
        return i == null ? null : values.get(i);
    }

    @Override
    public boolean containsKey(Object key) {
        return index.containsKey(key);
    }

    @Override
    public int size() {
        return index.size();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                Iterator<Entry<K, Integer>> positions = index.entrySet().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return positions.hasNext();
                    }

                    @Override
                    public Entry<K, V> next() {
                        Entry<K, Integer> e = positions.next();
                        return new SimpleImmutableEntry<>(e.getKey(), values.get(e.getValue()));
                    }
                };
            }

            @Override
            public int size() {
                return index.size();
            }
        };
    }
}
