/** An output URL the appliance cannot stream to, with what is wrong in a technician's words. */
export class OutputUrlError extends Error {
  override name = 'OutputUrlError';
}
