// On every page: logging out also forgets what this browser kept of the day (the last schedule
// seen, the statuses shown, the cached page), so the next person on a shared phone sees nothing.
document.querySelector("form.logout")?.addEventListener("submit", () => {
  for (const key of Object.keys(localStorage)) if (key.startsWith("ambulant-")) localStorage.removeItem(key);
  if ("caches" in window) caches.keys().then((keys) => keys.forEach((k) => caches.delete(k)));
});
