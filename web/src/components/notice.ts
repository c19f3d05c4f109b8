import { ref } from 'vue';

/** A short success message, announced politely (the toast region in ConsoleLayout). */
export const notice = ref<string | null>(null);
let timer: ReturnType<typeof setTimeout> | undefined;

export function notify(text: string): void {
  notice.value = text;
  clearTimeout(timer);
  timer = setTimeout(() => (notice.value = null), 5000);
}
