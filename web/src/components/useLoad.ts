import { ref, type Ref } from 'vue';
import { errorText } from '../api/client';

/** Runs a loader with loading / error state; `reload()` runs it again. */
export function useLoad<T>(loader: () => Promise<T>, initial: T) {
  const data = ref(initial) as Ref<T>;
  const loading = ref(true);
  const error = ref<string | null>(null);
  async function reload() {
    loading.value = true;
    error.value = null;
    try {
      data.value = await loader();
    } catch (e) {
      error.value = errorText(e);
    } finally {
      loading.value = false;
    }
  }
  void reload();
  return { data, loading, error, reload };
}
