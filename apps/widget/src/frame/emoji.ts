/** The emoji picker's built-in set: common reactions and feelings, small enough to ship in the frame. */
export const EMOJI = [
  ..."😀 😃 😄 😁 😆 😅 😂 🙂 😉 😊 😇 😍 🥰 😘 😋 😎 🤩 🥳 🤔 🤗 🤭 😐 😶 🙄 😏 😬 😌 😴 😷 🤒 😕 😟 😮 😲 😳 🥺 😢 😭 😤 😠 😡 🤯 😱 🙈 🙏 👍 👎 👌 ✌️ 🤞 👋 👏 🙌 💪 👀 ❤️ 🧡 💛 💚 💙 💜 🖤 💔 💯 ✨ ⭐ 🔥 🎉 🎁 ✅ ❌ ❓ ❗ ⏰ 📦 🚚 💳 🛒 📎 📷 ☕ 🍕 🌟 🌈 ☀️".split(
    " ",
  ),
] as const;

/** Quick reactions offered on a message. */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;
