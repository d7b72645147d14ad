export {
  createTelegramBot,
  DEFAULT_TELEGRAM_API_ROOT,
  type TelegramBot,
  type TelegramBotOptions,
  type TelegramStartMode,
} from "./bot.ts";
export { type DecodedCommand, decodeCommand } from "./decode.ts";
export { MANAGE_REQUIREMENT } from "./permissions.ts";
export { createTelegramMessenger, toDeliveryError } from "./send.ts";
