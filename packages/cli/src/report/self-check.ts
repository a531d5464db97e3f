/** Marks pictures the browser could not decode, and counts pictures and broken ones on <html> (for checks). */
export const SELF_CHECK = `
window.addEventListener('load', () => {
  const broken = [...document.images].filter((img) => !(img.complete && img.naturalWidth > 0));
  for (const img of broken) {
    const note = document.createElement('p');
    note.className = 'broken';
    note.textContent = 'this picture could not be shown';
    img.after(note);
  }
  document.documentElement.dataset.images = String(document.images.length);
  document.documentElement.dataset.brokenImages = String(broken.length);
});
`;
