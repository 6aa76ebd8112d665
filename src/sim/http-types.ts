/** What an HTTP adapter answers; the server writes it. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}
