import { onBeforeUnmount, ref, type Ref } from 'vue';

/** True on a phone-sized screen (the board turns into cards, the side menu into a drawer). */
export function useNarrow(maxWidth = 768): Ref<boolean> {
  const mq = window.matchMedia(`(max-width: ${maxWidth}px)`);
  const narrow = ref(mq.matches);
  const onChange = (e: MediaQueryListEvent) => {
    narrow.value = e.matches;
  };
  mq.addEventListener('change', onChange);
  onBeforeUnmount(() => mq.removeEventListener('change', onChange));
  return narrow;
}
