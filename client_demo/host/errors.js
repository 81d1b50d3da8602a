// Server errors in the teacher's words: a sentence per (code, reason), else the server's own.

const DECK_REASONS = {
  unknown_deck: () => "that deck is not on this server. Pick another one from the list.",
  unknown_format: (file) => `Cardcade cannot tell the format of ${file}. Pick its format under “File format” and try again.`,
  empty: (file) => `${file} has no cards in it. Choose a deck file with cards.`,
  no_cards: (file) => `no cards could be read from ${file}. Check that it is a flashcard export, and pick its format under “File format”.`,
  invalid: (file, message) => `${file} is not a deck file Cardcade can read (${message}).`,
  no_rounds: () => "this deck cannot make any round of the kinds you ticked. Tick more round types (Quiz works with any deck).",
  too_large: (file, message) => `${file} is too big for this server. ${message}`,
  too_slow: (file) => `${file} took too long to read. Try a smaller file, or split it in two.`,
  busy: () => "the server is reading other decks just now. Try again in a moment.",
};

const CODES = {
  no_players: "Wait for at least one player to join, then start.",
  game_over: "This game has ended. Start a new game to play again.",
  unknown_player: "That player has already left the game.",
  rate_limited: "Too many clicks at once: wait a moment and try again.",
  unavailable: "The server cannot reach its storage just now. Try again in a moment.",
  server_full: "This server is running as many games as it can just now. Try again in a few minutes.",
  unknown_competition: "There is no competition with that id and host key on this server. Check both with the organiser.",
  competition_closed: "This competition is closed: it takes no more rooms. Ask the organiser.",
};

/**
 * The sentence to show for a server `error` message. `context.file` names the uploaded
 * file (or the bundled deck) of a create_room.
 */
export function errorText(msg, context = {}) {
  const message = msg.message || msg.code || "Something went wrong.";
  if (msg.code === "bad_deck") {
    const words = DECK_REASONS[msg.reason];
    const file = context.file || "the file";
    return `Could not use that deck: ${words ? words(file, message) : message}`;
  }
  if (msg.code === "malformed" && context.file !== undefined) {
    return `Check the game settings: ${message}`;
  }
  return CODES[msg.code] || message;
}
